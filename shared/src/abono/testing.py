"""Helpers for tests against the real PostgreSQL and RabbitMQ (used by every service's tests).

Test databases are named `abono_test_<service>`, rebuilt from the service's Alembic history once per test
session. Tokens are minted with a key pair made for the test session.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import aio_pika.exceptions
import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from abono.auth import Role, TokenSigner, generate_keypair
from abono.clock import AdjustableClock
from abono.db import asyncpg_dsn
from abono.events import Event
from abono.messaging.broker import EVENTS_EXCHANGE
from abono.migrations import upgrade
from abono.settings import PlatformSettings

REPO_ROOT = Path(__file__).resolve().parents[3]
# Set ABONO_TEST_NAMESPACE to run two checkouts' test suites on one machine at once: every test database and
# virtual host then carries it as a suffix, so neither run drops or consumes the other's. pytest-xdist's workers
# (`make test` runs two) add their own name (gw0, gw1...): each worker has its own platform, databases and vhost.
TEST_NAMESPACE = "_".join(
    part for part in (os.environ.get("ABONO_TEST_NAMESPACE", ""), os.environ.get("PYTEST_XDIST_WORKER", "")) if part
)


def namespaced(name: str) -> str:
    """`name` with this run's ABONO_TEST_NAMESPACE suffix (unchanged when none is set)."""
    return f"{name}_{TEST_NAMESPACE}" if TEST_NAMESPACE else name


PG_ADMIN_DSN = os.environ.get("ABONO_TEST_PG_DSN", "postgresql://postgres:postgres@127.0.0.1:5432/postgres")
# Tests use their own RabbitMQ virtual host, so a `make run` on the same broker never sees their events.
TEST_VHOST = namespaced("abono_test")
AMQP_URL = os.environ.get("ABONO_TEST_AMQP_URL", f"amqp://guest:guest@127.0.0.1:5672/{TEST_VHOST}")


def ensure_test_vhost(vhost: str = "abono_test", *, fresh: bool = False) -> None:
    """Create a tests' virtual host with `rabbitmqctl` where missing (idempotent, local broker only); `fresh` drops
    it first, with whatever an earlier run left in its queues."""
    vhost = namespaced(vhost)
    if "ABONO_TEST_AMQP_URL" in os.environ or shutil.which("rabbitmqctl") is None:
        return
    if fresh:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, check=False)
    listed = subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], capture_output=True, text=True, check=False)
    if vhost in listed.stdout.split():
        return
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], capture_output=True, check=False)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                   capture_output=True, check=False)


def amqp_url_for(vhost: str) -> str:
    """The tests' broker URL on virtual host `vhost` (unless ABONO_TEST_AMQP_URL pins one for everything)."""
    if "ABONO_TEST_AMQP_URL" in os.environ:
        return AMQP_URL
    return f"{AMQP_URL.rsplit('/', 1)[0]}/{namespaced(vhost)}"


# The platform of tests/ (every service at once, for the whole session) has a virtual host of its own: a service's
# own tests (notify-svc/tests...) serve that service on the shared one, and two live consumers of one queue would
# take each other's events, whatever order the files run in.
E2E_VHOST = "abono_test_e2e"
E2E_AMQP_URL = amqp_url_for(E2E_VHOST)


def database_url(name: str) -> str:
    """SQLAlchemy URL of database `name` on the test server."""
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"


async def recreate_database(name: str) -> str:
    """Drop and create database `name` (namespaced, terminating stray connections); returns its SQLAlchemy URL."""
    name = namespaced(name)
    await recreate_database_on(PG_ADMIN_DSN, name)
    return database_url(name)


async def recreate_database_on(admin_dsn: str, name: str) -> None:
    """Drop database `name` of the server `admin_dsn` connects to, its connections terminated first, and create it
    again, empty (the tests' databases, the bench's)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def migrated_database(service_dir: str | Path, name: str) -> str:
    """A fresh database `name` at the head of the Alembic history in `service_dir`."""
    url = await recreate_database(name)
    await asyncio.to_thread(upgrade, REPO_ROOT / service_dir, url)
    return url


@dataclass(frozen=True)
class TestKeys:
    __test__ = False  # not a pytest test class, despite the name

    private_pem: str
    public_pem: str

    def signer(self) -> TokenSigner:
        return TokenSigner(self.private_pem, issuer="abono-gateway", audience="abono", ttl=timedelta(minutes=15))

    def token(self, role: Role = Role.CLIENT, *, user_id: uuid.UUID | None = None, email: str | None = None) -> str:
        uid = user_id or uuid.uuid4()
        return self.signer().access_token(user_id=uid, role=role, email=email or f"{uid.hex[:8]}@example.test")


@cache
def test_keys() -> TestKeys:
    private, public = generate_keypair()
    return TestKeys(private, public)


test_keys.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def platform_settings(**overrides: object) -> PlatformSettings:
    values: dict[str, object] = {
        "environment": "test",
        "amqp_url": AMQP_URL,
        "jwt_public_key": test_keys().public_pem,
        "log_json": True,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return PlatformSettings(**values)  # type: ignore[arg-type]


def listening_socket(port: int = 0) -> socket.socket:
    """A TCP socket bound on loopback (`port` 0: a free one) for an asyncio server, whose accepted connections get
    `TCP_NODELAY`: asyncio sets it only on sockets whose protocol is `IPPROTO_TCP`, and a socket made without naming
    it (protocol 0) passes that on to every connection it accepts. Without it, uvicorn's response (headers, then the
    body: two writes) waited for the client's delayed ACK, 40 ms on Linux, on every call to a fake (Stripe's
    payment read, the WHM panel's calls: the `reactivation` bench's payment committed ~40 ms later for it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


# How long a test server keeps an idle connection. uvicorn's default (5 s) is exactly httpx's `keepalive_expiry`:
# a test's client that reused its connection just under 5 s idle sent its request into the socket the server was
# closing, and read nothing (httpx.ReadError in a panel test: stop 28). The tests' clients let go first at 5 s.
TEST_SERVER_KEEP_ALIVE = 30


@asynccontextmanager
async def serve(app: ASGIApp, port: int = 0) -> AsyncIterator[str]:
    """Run `app` (lifespan included) under uvicorn on loopback (`port` 0: a free one); yields its base URL."""
    sock = listening_socket(port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning", access_log=False, timeout_keep_alive=TEST_SERVER_KEEP_ALIVE
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # re-raise a start-up failure
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# A deadline, not a speed target: generous, so a loaded CI machine (2 cores) waits instead of failing; a passing
# test returns as soon as its condition holds.
WAIT_WITHIN = 30.0


async def wait_for(
    predicate: Callable[[], Awaitable[bool] | bool], *, within: float = WAIT_WITHIN, what: str = "condition"
) -> None:
    """Poll `predicate` (a coroutine function, or a plain one for in-process state) until true: for effects that
    cross the broker or another task (no fixed sleeps in tests)."""
    deadline = asyncio.get_running_loop().time() + within

    async def holds() -> bool:
        result = predicate()
        return bool(await result) if inspect.isawaitable(result) else result

    while not await holds():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


async def publish_events(*events: Event, amqp_url: str = AMQP_URL, until_routed: bool = False) -> None:
    """Publish contract events straight to `abono.events` exactly as a service's outbox relay does (envelope body,
    `message_id` = event id, persistent, confirmed): a test standing in for the producing service.
    `until_routed`: retry each event until a queue is bound for it (the consumer may still be starting)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=until_routed)
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        for event in events:
            message = aio_pika.Message(
                json.dumps(event.envelope()).encode(), message_id=str(event.event_id),
                content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )

            async def routed(message: aio_pika.Message = message, event: Event = event) -> bool:
                try:
                    await exchange.publish(message, routing_key=event.routing_key, mandatory=until_routed)
                except aio_pika.exceptions.DeliveryError:
                    return False
                return True

            await wait_for(routed, what=f"{event.routing_key} to be routed")


# --- one service served alone: the set-up every service's test kit shares --------------------------------------------
def bearer(user_id: uuid.UUID, role: Role = Role.CLIENT) -> dict[str, str]:
    """The Authorization header of a test token for `user_id` in `role`."""
    return {"Authorization": f"Bearer {test_keys().token(role, user_id=user_id)}"}


def standalone_platform(amqp_url: str) -> PlatformSettings:
    """Test mode (the app gets a movable clock) for a service served alone: the gateway it would follow is not
    running, and its broker is the service's own virtual host."""
    return platform_settings(test_mode=True, gateway_url="http://127.0.0.1:9", amqp_url=amqp_url)


async def fetch_rows(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of `query` on the database at `database_url` (a connection of its own, closed after)."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def purge_queues(amqp_url: str, names: Iterable[str]) -> None:
    """Drop what waits in these consumer queues of the test broker (those that exist)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for name in names:
            channel = await connection.channel()  # a missing queue closes the channel it was asked on
            try:
                queue = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                continue
            await queue.purge()


@dataclass
class ServedService:
    """A service's whole app (consumers, workers, endpoints) served on loopback over its test database."""

    app: FastAPI
    url: str
    database_url: str

    @property
    def clock(self) -> AdjustableClock:
        clock: AdjustableClock = self.app.state.clock
        return clock

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await fetch_rows(self.database_url, query, *args)

    async def wait_applied(self, *event_ids: uuid.UUID, within: float = WAIT_WITHIN) -> None:
        """Until the app's consumers applied these events (applied or skipped as duplicates: their inbox rows)."""
        ids = list(set(event_ids))

        async def applied() -> bool:
            rows = await self.fetch("SELECT count(*) AS n FROM inbox WHERE event_id = ANY($1::uuid[])", ids)
            return int(rows[0]["n"]) == len(ids)

        await wait_for(applied, within=within, what=f"{len(ids)} event(s) to be applied")


S = TypeVar("S", bound=ServedService)


@asynccontextmanager
async def serve_alone(app: FastAPI, database_url: str, *, vhost: str, queues: Iterable[str] = (),
                      served: type[S] = ServedService) -> AsyncIterator[S]:  # type: ignore[assignment]
    """Serve a service's app alone for a test module: what earlier modules left in the outbox unpublished is marked
    published (it was never meant to reach the broker), the service's virtual host exists and its queues are empty,
    and the app is served until its consumers consume."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    finally:
        await conn.close()
    ensure_test_vhost(vhost)
    await purge_queues(amqp_url_for(vhost), queues)
    async with serve(app) as url:
        await app.state.consumer_runner.wait_consuming()
        yield served(app, url, database_url)

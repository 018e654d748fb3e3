"""Fixtures: the gateway served by uvicorn in the test loop against real PostgreSQL and RabbitMQ, and a small fake
service (also served by uvicorn) for the proxy, the merged OpenAPI and the test clock."""

from __future__ import annotations

import sys

# pytest's importlib mode names this file `gateway.tests.conftest` after its folder and, the real `gateway` package
# not being imported yet, registers an empty namespace module for the folder `gateway/` under that name, which
# hides the package. Drop the stand-in so the imports below find the real one (regular packages win over folders).
if not getattr(sys.modules.get("gateway"), "__file__", None):
    sys.modules.pop("gateway", None)

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from abono.db import asyncpg_dsn
from abono.testing import free_port, migrated_database, platform_settings, test_keys, wait_for
from gateway.app import create_app
from gateway.config import GatewaySettings, RateLimit

ADMIN_EMAIL = "root@abono.test"  # `.test` is accepted outside production
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "correct horse battery"


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app (lifespan included) on a free port in this event loop; yields its base URL.

    Unlike `abono.testing.serve`, uvicorn's own X-Forwarded-For handling is off (as the gateway should be deployed),
    so the proxy tests see the socket peer that GATEWAY_TRUSTED_PROXIES judges.
    """
    # proxy_headers=False: the gateway decides itself whom to believe (GATEWAY_TRUSTED_PROXIES), as deployed.
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    def up() -> bool:
        if task.done():
            task.result()
            raise RuntimeError("the server did not start")
        return server.started

    await wait_for(up, what="the test server's start-up")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# --- the fake service --------------------------------------------------------------------------------------------
@dataclass
class FakeService:
    url: str = ""
    upload_started: asyncio.Event = field(default_factory=asyncio.Event)
    release_stream: asyncio.Event = field(default_factory=asyncio.Event)
    clock_pushes: list[dict[str, Any]] = field(default_factory=list)


class Thing(BaseModel):
    id: int
    name: str


def fake_service_app(fake: FakeService) -> FastAPI:
    app = FastAPI(title="fake")

    @app.get("/things/{thing_id}", tags=["things"])
    async def get_thing(thing_id: int) -> Thing:
        return Thing(id=thing_id, name="thing")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.api_route("/echo/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.post("/webhooks/{provider}", include_in_schema=False)
    async def echo(request: Request) -> Response:
        body = await request.body()
        response = JSONResponse(
            {
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode("latin-1"),
                "query": request.scope["query_string"].decode("latin-1"),
                "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.scope["headers"]],
                "body": body.decode("latin-1"),
            },
            status_code=int(request.query_params.get("status", "200")),
        )
        response.headers["X-Upstream"] = "fake"
        response.headers["X-Hop"] = "must not pass"
        response.headers["Connection"] = "X-Hop"
        response.raw_headers.append((b"set-cookie", b"a=1; Path=/"))
        response.raw_headers.append((b"set-cookie", b"b=2; Path=/"))
        return response

    @app.api_route("/crash", methods=["GET", "POST"], include_in_schema=False)
    async def crash() -> None:
        # A plain FastAPI app, as every service was before abono.guards: Starlette sends the 500, re-raises, and
        # uvicorn closes the connection without a `Connection: close` (issue 11).
        raise RuntimeError("the handler failed")

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received:
                fake.upload_started.set()
        return {"received": received}

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first\n"
            await asyncio.wait_for(fake.release_stream.wait(), 5)
            yield b"second\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.api_route("/big", methods=["GET", "HEAD"], include_in_schema=False)
    async def big() -> Response:
        return Response(bytes(range(256)) * 1024, media_type="application/octet-stream")  # 256 KiB

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(1.5)  # past the gateway's 0.5 s read timeout, short enough not to delay shutdown
        return {"late": "yes"}

    @app.put("/internal/test/clock")
    async def set_clock(request: Request) -> dict[str, Any]:
        body = await request.json()
        fake.clock_pushes.append(
            {"offset_us": body["offset_us"], "authorization": request.headers.get("authorization")}
        )
        return {"offset_us": body["offset_us"]}

    return app


@pytest.fixture(scope="session")
async def fake_service() -> AsyncIterator[FakeService]:
    fake = FakeService()
    async with serve(fake_service_app(fake)) as url:
        fake.url = url
        yield fake


# --- the gateway ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
async def database_url() -> str:
    return await migrated_database("gateway", "abono_test_gateway")


@pytest.fixture(scope="session")
def make_settings(database_url: str, fake_service: FakeService) -> Callable[..., GatewaySettings]:
    dead = f"http://127.0.0.1:{free_port()}"

    def make(*, test_mode: bool = True, **overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "db_pool_size": 4,
            "jwt_private_key": test_keys().private_pem,
            # billing is the fake too, so webhooks have somewhere to go; "down" never answers.
            "service_urls": {"fake": fake_service.url, "billing": fake_service.url, "down": dead},
            "proxy_read_timeout_seconds": 0.5,
            "openapi_fetch_timeout_seconds": 1.0,
            "openapi_cache_seconds": 0,
            # Every test signs up and logs in from 127.0.0.1, and the admin logs in for many tests a minute: the
            # budgets' own tests (test_sessions, test_password_reset...) set theirs.
            "signup_rate_limit": RateLimit(limit=10_000, window_seconds=3600),
            "login_ip_rate_limit": RateLimit(limit=10_000, window_seconds=60),
            "login_rate_limit": RateLimit(limit=1_000, window_seconds=60),
            "admin_email": ADMIN_EMAIL,
            "admin_password": ADMIN_PASSWORD,
            "platform": platform_settings(test_mode=test_mode),
        }
        values.update(overrides)
        return GatewaySettings(**values)

    return make


@pytest.fixture(scope="session")
async def gateway_url(make_settings: Callable[..., GatewaySettings]) -> AsyncIterator[str]:
    async with serve(create_app(make_settings())) as url:
        yield url


@pytest.fixture(scope="session")
async def client(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    yield conn
    await conn.close()


# --- data helpers (a fixture, since tests are not a package and cannot import this module) -------------------
@dataclass
class Account:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class Api:
    client: httpx.AsyncClient
    db: asyncpg.Connection
    password: str = PASSWORD
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD
    serve = staticmethod(serve)

    @staticmethod
    def unique_email(prefix: str = "client") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}@Example.com"

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def sign_up(self, **fields: Any) -> dict[str, Any]:
        body = {"email": self.unique_email(), "password": PASSWORD, "name": "Ana Pérez", "country": "AR", **fields}
        response = await self.client.post("/api/auth/signup", json=body)
        assert response.status_code == 202, response.text
        assert response.json() == {
            "email": body["email"].replace("@Example.com", "@example.com"),
            "next_step": "check_email",
        }
        return await self.user(body["email"])

    async def user(self, email: str) -> dict[str, Any]:
        """The account of `email`, read from the database (sign-up's answer shows no account: issue 11)."""
        row = await self.db.fetchrow(
            "SELECT id::text, email, role, name, phone, country, currency, language, email_verified_at "
            "FROM users WHERE lower(email) = lower($1)",
            email,
        )
        assert row is not None, f"no account for {email}"
        return dict(row)

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    async def account(self, **fields: Any) -> Account:
        """A freshly signed-up, logged-in client."""
        user = await self.sign_up(**fields)
        tokens = await self.login(user["email"])
        return Account(user["id"], user["email"], PASSWORD, tokens["access_token"], tokens["refresh_token"])

    async def events(self, routing_key: str, client_id: str) -> list[dict[str, Any]]:
        """One client's events of one kind in the gateway's outbox, oldest first."""
        rows = await self.db.fetch(
            "SELECT payload FROM outbox WHERE routing_key = $1 AND payload->>'client_id' = $2 ORDER BY id",
            routing_key,
            client_id,
        )
        return [json.loads(row["payload"]) for row in rows]

    async def verification_token(self, client_id: str) -> str:
        """The raw token of the latest verification mail (only the event carries it)."""
        events = await self.events("gateway.client.verification_requested", client_id)
        return str(events[-1]["token"])

    async def admin_token(self) -> str:
        return str((await self.admin_session())["access_token"])

    async def admin_session(self) -> dict[str, Any]:
        """A new sign-in of the bootstrap admin: its access and refresh tokens."""
        return dict(await self.login(ADMIN_EMAIL, ADMIN_PASSWORD))


@pytest.fixture(scope="session")
def api(client: httpx.AsyncClient, db: asyncpg.Connection) -> Api:
    return Api(client, db)

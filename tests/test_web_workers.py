"""Issue 20: a service runs as `<PREFIX>WEB_WORKERS` processes (`python -m abono.serve`, what `make run`, the image
and the bench start), each a whole replica of it; its `/metrics` counts the requests of all of them, and a revoked
token is refused by every one of them from the revocation's commit."""

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.revocation import record
from abono.serve import listening_sockets, reuse_port, web_workers, workers_variable
from abono.testing import (
    amqp_url_for,
    ensure_test_vhost,
    free_port,
    migrated_database,
    platform_settings,
    serve,
    test_keys,
    wait_for,
)
from affiliate.app import create_app as create_affiliate
from affiliate.config import AffiliateSettings

VHOST = "abono_test_workers"  # its own: the workers' consumers take no other test's events
REQUESTS = 24


def test_the_setting_is_the_factorys_prefix_and_is_bounded() -> None:
    assert workers_variable("billing.app:create_app") == "BILLING_WEB_WORKERS"
    assert workers_variable("gateway.app:create_app") == "GATEWAY_WEB_WORKERS"
    assert web_workers("billing.app:create_app", {}) == 1
    assert web_workers("billing.app:create_app", {"BILLING_WEB_WORKERS": "3"}) == 3
    for wrong in ("0", "65", "two"):
        with pytest.raises(SystemExit, match="BILLING_WEB_WORKERS"):
            web_workers("billing.app:create_app", {"BILLING_WEB_WORKERS": wrong})


def test_each_worker_gets_a_listening_socket_of_its_own_on_the_same_port() -> None:
    # Issue 20: with one shared socket the kernel gave 64 keep-alive connections 73 % / 27 % to two workers.
    assert reuse_port({}) is True
    assert reuse_port({"ABONO_REUSEPORT": "false"}) is False
    with pytest.raises(SystemExit, match="ABONO_REUSEPORT"):
        reuse_port({"ABONO_REUSEPORT": "maybe"})
    bound = socket.socket()
    bound.bind(("127.0.0.1", 0))
    port = bound.getsockname()[1]
    sockets = listening_sockets(bound, 2)
    try:
        assert bound.fileno() == -1  # closed: the port is the workers' sockets'
        assert [sock.getsockname() for sock in sockets] == [("127.0.0.1", port)] * 2
        assert all(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()


def _listening_sockets_on(port: int) -> int:
    """How many sockets listen on `port` (IPv4), from /proc/net/tcp: one per worker with SO_REUSEPORT."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _request_count(metrics: str) -> float:
    prefix = 'abono_billing_http_request_duration_seconds_count{method="GET",route="/invoices",status="200"}'
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines() if line.startswith(prefix))


async def test_two_web_workers_serve_billing_and_its_metrics_add_them_up(tmp_path: Path) -> None:
    ensure_test_vhost(VHOST)
    url = await migrated_database("billing-svc", "abono_test_workers_billing")
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {**os.environ, "BILLING_WEB_WORKERS": "2", "BILLING_DATABASE_URL": url, "BILLING_SCHEDULER_ENABLED": "false",
           "ABONO_AMQP_URL": amqp_url_for(VHOST), "ABONO_JWT_PUBLIC_KEY": test_keys().public_pem,
           "ABONO_ENVIRONMENT": "test", "ABONO_LOG_LEVEL": "INFO", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    log_file = tmp_path / "billing.log"
    with log_file.open("w") as log_out:
        proc = subprocess.Popen([sys.executable, "-m", "abono.serve", "billing.app:create_app", "--host", "127.0.0.1",
                                 "--port", str(port), "--log-level", "warning"], env=env, start_new_session=True,
                                stdout=log_out)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            async def ready() -> bool:
                assert proc.poll() is None, "abono.serve exited"
                try:
                    return (await http.get("/readyz")).status_code == 200 and len(_children(proc.pid)) >= 2
                except httpx.TransportError:
                    return False

            await wait_for(ready, what="two billing workers ready", within=60)
            # A socket of its own for each worker (SO_REUSEPORT), listening once that worker has started.
            await wait_for(lambda: _listening_sockets_on(port) == 2, what="a listening socket per worker", within=60)
            token = {"Authorization": f"Bearer {test_keys().token(user_id=uuid.uuid4())}"}
            for _ in range(REQUESTS):  # a new connection each: the kernel spreads them over the workers
                async with httpx.AsyncClient(base_url=base, timeout=10) as once:
                    response = await once.get("/invoices", headers=token)
                    assert response.status_code == 200 and response.json() == []
            workers = {path.name.split("_")[-1] for path in metrics_dir.glob("*.db")}
            assert len(workers) >= 2, workers  # both processes wrote metrics (files are per pid)
            assert _request_count((await http.get("/metrics")).text) == REQUESTS
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    # Issue 20: each worker froze its start-up heap (abono.serve sets ABONO_GC_FREEZE for them), so the garbage
    # collector's full passes no longer walk it; the tests' own apps never do (PlatformSettings.gc_freeze is off).
    started = [json.loads(line) for line in log_file.read_text().splitlines() if '"service_started"' in line]
    assert len(started) == 2 and all(line["gc_frozen"] > 100_000 for line in started), started
    assert all(tuple(line["gc_thresholds"]) == (700, 10, 10) for line in started)  # Python's (the bulk worker's differ)
    assert gc.get_freeze_count() == 0


async def test_every_process_refuses_a_revoked_token_at_the_commit_not_at_its_next_poll() -> None:
    """Two processes of one service (here two apps on one database): a revocation recorded by one (its consumer's
    commit) reaches the other through NOTIFY on the relay's LISTEN connection; their poll is an hour away."""
    ensure_test_vhost(VHOST)
    url = await migrated_database("affiliate-svc", "abono_test_workers_affiliate")
    platform = platform_settings(amqp_url=amqp_url_for(VHOST))
    apps = [create_affiliate(AffiliateSettings(database_url=url, platform=platform, revocation_poll_seconds=3600))
            for _ in range(2)]
    user = uuid.uuid4()
    token = {"Authorization": f"Bearer {test_keys().token(user_id=user)}"}
    async with AsyncExitStack() as stack:
        bases = [await stack.enter_async_context(serve(app)) for app in apps]
        for base in bases:
            async with httpx.AsyncClient(base_url=base) as http:
                assert (await http.get("/whoami", headers=token)).status_code == 200
        engine = make_engine(url, pool_size=1)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                await record(session, user, closed=True, tokens_before=None)
        finally:
            await engine.dispose()

        async def refused_everywhere() -> bool:
            for base in bases:
                async with httpx.AsyncClient(base_url=base) as http:
                    if (await http.get("/whoami", headers=token)).status_code == 200:
                        return False
            return True

        await wait_for(refused_everywhere, what="both processes refusing the closed account's token", within=20)

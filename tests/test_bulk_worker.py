"""Issue 20: the bulk worker (`python -m abono.bulk_worker`) serves no API, yet it is probed and scraped like the apps:
a listener of its own (`<PREFIX>BULK_METRICS_PORT`, default the app's port + 1000) answers `/healthz` (200 while its
broker connection and its `.bulk` consumers are up, 503 naming what is down) and `/metrics` (its own counters: the
bulk lane's events consumed, a renewal run's progress); the image's HEALTHCHECK asks the one its role serves."""

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from abono.bulk_worker import listening, probe_app
from abono.events import InvoiceIssued, InvoiceLineInfo
from abono.healthcheck import probe_url
from abono.metrics import ServiceMetrics
from abono.service import BULK_GC_THRESHOLDS
from abono.testing import (
    amqp_url_for,
    ensure_test_vhost,
    free_port,
    migrated_database,
    publish_events,
    test_keys,
    wait_for,
)
from billing.config import BillingSettings
from provisioning.config import ProvisioningSettings

VHOST = "abono_test_bulk_worker"  # its own: the worker's consumers take no other test's events


def _consumed(metrics: str) -> float:
    """InvoiceIssued events provisioning's `billing` consumer applied, per the bulk worker's `/metrics`."""
    return sum(sample.value for family in text_string_to_metric_families(metrics)
               for sample in family.samples
               if sample.name == "abono_provisioning_events_consumed_total"
               and sample.labels["consumer"] == "provisioning.billing"
               and sample.labels["routing_key"] == InvoiceIssued.routing_key
               and sample.labels["outcome"] == "processed")  # fmt: skip


def _invoice() -> InvoiceIssued:
    return InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=uuid.uuid4(), number=f"F-{uuid.uuid4().hex[:6]}", payment_reference="R",
        total={"amount_minor": 1000, "currency": "USD"}, due_on=date.today(), kind="renewal",
        lines=[InvoiceLineInfo(description="line", amount={"amount_minor": 1000, "currency": "USD"},
                               service_id=uuid.uuid4(), cycle="annual")])  # fmt: skip


async def test_issue20_the_bulk_worker_answers_healthz_and_its_metrics_count_the_bulk_events_it_consumed(
        tmp_path: Path) -> None:
    ensure_test_vhost(VHOST)
    url = await migrated_database("provisioning-svc", "abono_test_bulk_worker_provisioning")
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {"PROVISIONING_DATABASE_URL": url, "PROVISIONING_BULK_LANE": "separate",
            "PROVISIONING_BULK_METRICS_PORT": str(port), "ABONO_AMQP_URL": amqp_url_for(VHOST),
            "ABONO_JWT_PUBLIC_KEY": test_keys().public_pem, "ABONO_ENVIRONMENT": "test", "ABONO_LOG_LEVEL": "INFO",
            "ABONO_BULK_NICE": "0"}  # fmt: skip
    log_file = tmp_path / "bulk.log"
    with log_file.open("w") as log_out:
        proc = subprocess.Popen([sys.executable, "-m", "abono.bulk_worker", "provisioning.app:create_app"], env=env,
                                start_new_session=True, stdout=log_out)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            async def live() -> bool:
                assert proc.poll() is None, "abono.bulk_worker exited"
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(live, what="the bulk worker's /healthz answering 200", within=60)
            health = (await http.get("/healthz")).json()
            assert health["status"] == "ok" and health["process"] == "bulk"
            assert health["checks"] == {"broker": True, "consumers": True}
            assert _consumed((await http.get("/metrics")).text) == 0
            assert (await http.get("/readyz")).status_code == 404  # no API here: the app serves it

            await publish_events(_invoice(), amqp_url=amqp_url_for(VHOST), until_routed=True)

            async def counted() -> bool:
                return _consumed((await http.get("/metrics")).text) == 1

            await wait_for(counted, what="the consumed InvoiceIssued on the bulk worker's /metrics", within=30)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    # Its start-up heap frozen and a bulk batch's objects left to die young (abono.service.BULK_GC_THRESHOLDS).
    (started,) = [json.loads(line) for line in log_file.read_text().splitlines() if '"service_started"' in line]
    assert started["gc_frozen"] > 100_000 and tuple(started["gc_thresholds"]) == BULK_GC_THRESHOLDS


def _worker_state(*, broker: bool, consuming: bool, port: int = 0) -> FastAPI:
    app = FastAPI()
    app.state.metrics = ServiceMetrics("provisioning")
    app.state.service_name = "provisioning"
    app.state.settings = SimpleNamespace(run_workers=True, host="127.0.0.1", bulk_listener_port=lambda: port or None)
    app.state.broker = SimpleNamespace(is_connected=broker)
    app.state.consumer_runner = SimpleNamespace(is_consuming=consuming)
    return app


async def test_issue20_the_bulk_worker_is_not_live_without_its_broker_or_its_consumers() -> None:
    for broker, consuming, down in ((False, False, "broker, consumers"), (True, False, "consumers")):
        transport = httpx.ASGITransport(app=probe_app(_worker_state(broker=broker, consuming=consuming)))
        async with httpx.AsyncClient(transport=transport, base_url="http://bulk") as http:
            response = await http.get("/healthz")
        assert response.status_code == 503
        assert response.json()["detail"] == f"Not live: {down} down."
        assert response.json()["checks"] == {"broker": broker, "consumers": consuming}


def test_issue20_the_listener_is_the_apps_port_plus_1000_unless_set_and_0_turns_it_off() -> None:
    settings = dict(database_url="postgresql+asyncpg://x/y")
    assert BillingSettings(**settings).bulk_listener_port() == 9001
    assert ProvisioningSettings(**settings, port=8102).bulk_listener_port() == 9102
    assert BillingSettings(**settings, bulk_metrics_port=9101).bulk_listener_port() == 9101
    assert BillingSettings(**settings, bulk_metrics_port=0).bulk_listener_port() is None


def test_issue20_the_images_healthcheck_asks_the_bulk_worker_its_healthz_and_the_app_its_readyz() -> None:
    app = {"SERVICE_MODULE": "billing.app:create_app", "SERVICE_PORT": "8001"}
    assert probe_url(app) == "http://127.0.0.1:8001/readyz"
    bulk = {**app, "SERVICE_ROLE": "bulk"}
    assert probe_url(bulk) == "http://127.0.0.1:9001/healthz"
    assert probe_url({**bulk, "BILLING_PORT": "8101"}) == "http://127.0.0.1:9101/healthz"
    assert probe_url({**bulk, "BILLING_BULK_METRICS_PORT": "9301"}) == "http://127.0.0.1:9301/healthz"


async def test_issue20_a_taken_listener_port_leaves_the_worker_running_without_it() -> None:
    """Two bulk workers of one service on one machine (a second `make run`, a bench beside it): the second logs
    `bulk_worker_listener_failed` and runs its lane on; its probes fail, which is how an operator sees it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        app = _worker_state(broker=True, consuming=True, port=taken.getsockname()[1])
        async with listening(app) as url:
            assert url is None
    async with listening(_worker_state(broker=True, consuming=True, port=0)) as url:
        assert url is None  # <PREFIX>BULK_METRICS_PORT=0: no listener

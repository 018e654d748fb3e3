"""The connection budget and PgBouncer (#12 item 9): the poolers pool by transaction and every service is told so;
every replica at its bounds fits the pooler and PostgreSQL's `max_connections`, on Kubernetes and in compose."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from deploy_testkit import (
    BULK,
    COMPOSE,
    DEPLOYMENTS,
    ROOT,
    SETTINGS,
    compose_environment,
    deployment_of,
    documents,
    pod_environment,
    service_of,
    settings_as_deployed,
)

PGBOUNCER_INI = ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini"
# Server connections PostgreSQL keeps for itself beyond the services': superuser_reserved_connections (3) and, on
# CloudNativePG, the instance manager and the two replicas' streaming (deploy/README.md "Connection budget").
RESERVED = 3 + 10


def _hpa_bounds() -> dict[str, int]:
    return {d["spec"]["scaleTargetRef"]["name"]: int(d["spec"]["maxReplicas"])
            for _, d in documents() if d["kind"] == "HorizontalPodAutoscaler"}


def _pooler() -> dict[str, Any]:
    (pooler,) = [d for _, d in documents() if d["kind"] == "Pooler"]
    return pooler


def test_i9_the_poolers_run_transaction_pooling_and_every_service_is_told_so() -> None:
    """The CloudNativePG pooler and the compose PgBouncer pool by transaction; each service's pods and containers
    say so (no prepared-statement cache) and name PostgreSQL itself for LISTEN, migrations and backups."""
    assert _pooler()["spec"]["pgbouncer"]["poolMode"] == "transaction"
    ini = PGBOUNCER_INI.read_text()
    assert "\npool_mode = transaction\n" in ini
    for deployment in DEPLOYMENTS:
        prefix = service_of(deployment).upper()
        for where, env in (("deploy/k8s", pod_environment(deployment)), ("compose", compose_environment(deployment))):
            assert env[f"{prefix}_DB_TRANSACTION_POOLING"] == "true", where
            pooled, direct = env[f"{prefix}_DATABASE_URL"] or "", env[f"{prefix}_DIRECT_DATABASE_URL"] or ""
            assert ("abono-pg-pooler" in pooled or "@pgbouncer:6432/" in pooled), (where, pooled)
            assert ("abono-pg-rw" in direct or "@postgres:5432/" in direct), (where, direct)


def test_i9_the_connection_budget_fits_postgresql_max_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every replica at the HPAs' bounds (and the bulk workers', issue 20), with the pools its settings size, fits
    the pooler's clients; the poolers' server connections, one LISTEN per replica, one migration per database and
    PostgreSQL's reserve fit `max_connections`. The figures deploy/README.md quotes are these."""
    assert set(_hpa_bounds()) == set(SETTINGS)
    # Each Deployment's most replicas: its HPA's upper bound, else its own count (the bulk workers).
    replicas = {d: _hpa_bounds().get(d, int(deployment_of(d)["spec"].get("replicas", 1))) for d in DEPLOYMENTS}
    per_replica = {}
    for deployment in DEPLOYMENTS:
        settings = settings_as_deployed(service_of(deployment), pod_environment(deployment), monkeypatch)
        # A bulk worker is one process whatever <PREFIX>WEB_WORKERS says (python -m abono.bulk_worker).
        processes = settings.web_workers if deployment.endswith(BULK) else 1
        per_replica[deployment] = settings.connections_per_replica() // processes
    clients = sum(replicas[d] * per_replica[d] for d in DEPLOYMENTS)
    pooler = _pooler()["spec"]
    parameters = pooler["pgbouncer"]["parameters"]
    assert clients <= int(parameters["max_client_conn"]), "one pooler instance must take every client (failover)"
    databases = len(SETTINGS)
    server = int(parameters["default_pool_size"]) * databases * int(pooler["instances"])
    direct = sum(replicas.values()) + databases  # the relays' LISTEN, and migrations running at once
    (cluster,) = [d for _, d in documents() if d["kind"] == "Cluster"]
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    assert server + direct + RESERVED <= max_connections, (server, direct, RESERVED, max_connections)
    figures = (per_replica["billing"], per_replica["billing-bulk"], clients, server, direct)
    assert figures == (47, 47, 1739, 240, 43)  # deploy/README.md's figures


def test_i9_the_compose_budget_fits_its_postgres() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    command = compose["services"]["postgres"]["command"]
    max_connections = int(next(arg.split("=", 1)[1] for arg in command if arg.startswith("max_connections=")))
    pool = int(next(line.split("=", 1)[1] for line in PGBOUNCER_INI.read_text().splitlines()
                    if line.startswith("default_pool_size")))
    databases = len(SETTINGS)
    # One LISTEN per process with a relay: each service's, and each bulk worker's (issue 20).
    listens = databases + sum(1 for c in compose["services"].values()
                              if (c.get("environment") or {}).get("SERVICE_ROLE") == "bulk")
    assert listens == databases + 3
    assert pool * databases + listens + databases + 3 <= max_connections  # pooler, LISTENs, migrations, reserve

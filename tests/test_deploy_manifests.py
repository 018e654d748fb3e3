"""deploy/ and docker-compose.yml, checked offline (#19): YAML lint; every core Kubernetes object against the API's
schema with `kubernetes-validate --strict`; every operator's custom resource against the schema vendored from its CRD
(deploy/schemas, `check-jsonschema`); the compose file against the Compose specification; and every setting the
manifests pass is one a service reads, with the values a production pod is given accepted by that service's settings
(the provisioning pods crashed without PROVISIONING_SECRET_KEYS). Every app compose runs has its Deployment: the
bulk workers of issue 20 (`<name>-bulk`) too, probed and scraped on their own listener."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from abono.healthcheck import probe_url
from abono.settings import PlatformSettings
from affiliate.config import AffiliateSettings
from billing.config import BillingSettings
from gateway.config import GatewaySettings
from gateway.identity.config import IdentitySettings
from notify.config import NotifySettings
from provisioning.config import ProvisioningSettings
from support.config import SupportSettings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = ROOT / "deploy" / "schemas"
COMPOSE = ROOT / "docker-compose.yml"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"
KUBERNETES_VERSION = "1.33.0"  # the oldest release the manifests promise to work on (deploy/README.md)
BIN = Path(sys.executable).parent

SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "billing": BillingSettings,
    "provisioning": ProvisioningSettings,
    "notify": NotifySettings,
    "support": SupportSettings,
    "affiliate": AffiliateSettings,
}
# Settings classes a service reads besides its main one (same prefix family).
EXTRA_SETTINGS: dict[str, list[type[BaseSettings]]] = {"gateway": [IdentitySettings]}
# Read by the image's entry point (deploy/docker-entrypoint.sh), not by the settings classes.
IMAGE_VARIABLES = {"SERVICE_MODULE", "SERVICE_PORT", "SERVICE_NAME", "SERVICE_HOST", "RUN_MIGRATIONS", "UVICORN_ARGS",
                   "SERVICE_ROLE"}
BULK = "-bulk"  # a service's bulk worker (issue 20): `<service>-bulk` in compose and on Kubernetes
# Without these a production installation runs, but wrongly (links to an in-cluster address, no e-mail, no key).
REQUIRED = {
    "provisioning": {"PROVISIONING_SECRET_KEYS", "PROVISIONING_DATABASE_URL"},
    "billing": {"BILLING_PAYMENTS_PUBLIC_URL", "BILLING_DATABASE_URL"},
    "notify": {
        "NOTIFY_PANEL_URL",
        "NOTIFY_TRACKING_URL",
        "NOTIFY_SMTP_HOST",
        "NOTIFY_MAIL_FROM",
        "NOTIFY_DATABASE_URL",
    },
    "gateway": {
        "GATEWAY_SERVICE_URLS",
        "GATEWAY_TRUSTED_PROXIES",
        "GATEWAY_DATABASE_URL",
        "GATEWAY_IDENTITY_SECRET_KEYS",
        "GATEWAY_IDENTITY_FINGERPRINT_KEY",
    },
    "affiliate": {"AFFILIATE_SECRET_KEYS", "AFFILIATE_IP_HASH_KEY", "AFFILIATE_DATABASE_URL"},
}
PUBLIC_URLS = {"BILLING_PAYMENTS_PUBLIC_URL", "NOTIFY_PANEL_URL", "NOTIFY_TRACKING_URL"}


def manifest_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml"))


def documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in manifest_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") != "Kustomization":
                yield path, doc


def _id(path: Path, doc: dict[str, Any]) -> str:
    return f"{path.relative_to(K8S)}:{doc['kind']}/{doc['metadata']['name']}"


def schema_for(doc: dict[str, Any]) -> Path | None:
    """The vendored CRD schema of a custom resource, or None for a core kind."""
    group, _, version = doc["apiVersion"].rpartition("/")
    if "." not in group or group.endswith(".k8s.io"):
        return None
    return SCHEMAS / group / f"{doc['kind'].lower()}_{version}.json"


def service_of(deployment: str) -> str:
    """The service a Deployment (or compose service) runs: billing-bulk runs billing's bulk lane."""
    return deployment.removesuffix(BULK)


CORE = [(p, d) for p, d in documents() if schema_for(d) is None]
DEPLOYMENTS = sorted(d["metadata"]["name"] for _, d in documents() if d["kind"] == "Deployment")
CUSTOM = [(p, d) for p, d in documents() if schema_for(d) is not None]


def test_yamllint_passes_on_deploy_and_compose() -> None:
    result = subprocess.run(
        [BIN / "yamllint", "-c", ROOT / ".yamllint.yaml", "--strict", ROOT / "deploy", COMPOSE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("path", "doc"), CORE, ids=[_id(p, d) for p, d in CORE])
def test_core_objects_match_the_kubernetes_api_strictly(path: Path, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_custom_resources_match_their_operators_crd_schemas(tmp_path: Path) -> None:
    assert CUSTOM, "the CloudNativePG and RabbitMQ resources are gone from deploy/k8s"
    by_schema: dict[Path, list[Path]] = {}
    for n, (path, doc) in enumerate(CUSTOM):
        schema = schema_for(doc)
        assert schema is not None and schema.is_file(), f"{_id(path, doc)}: no vendored schema {schema}"
        instance = tmp_path / f"{n}-{doc['kind']}-{doc['metadata']['name']}.json"
        instance.write_text(json.dumps(doc))
        by_schema.setdefault(schema, []).append(instance)
    for schema, instances in by_schema.items():
        result = subprocess.run(
            [BIN / "check-jsonschema", "--schemafile", schema, *instances],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_misspelt_field_in_a_custom_resource_is_refused(tmp_path: Path) -> None:
    """The vendored schemas are strict: the check above can fail."""
    doc = next(d for _, d in CUSTOM if d["kind"] == "Cluster")
    doc = json.loads(json.dumps(doc))
    doc["spec"]["instance"] = doc["spec"].pop("instances")
    instance = tmp_path / "typo.json"
    instance.write_text(json.dumps(doc))
    schema = schema_for(doc)
    assert schema is not None
    result = subprocess.run(
        [BIN / "check-jsonschema", "--schemafile", schema, instance], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1 and "instance" in result.stdout


def test_the_compose_file_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_manifest_is_applied_by_a_kustomization_except_the_secrets_example() -> None:
    listed = set()
    for kustomization in K8S.rglob("kustomization.yaml"):
        for resource in yaml.safe_load(kustomization.read_text())["resources"]:
            target = kustomization.parent / resource
            assert target.is_file(), f"{kustomization}: {resource} does not exist"
            listed.add(target)
    unlisted = {p for p in manifest_files() if p.name != "kustomization.yaml"} - listed
    assert unlisted == {K8S / "secrets.example.yaml"}


# --- settings --------------------------------------------------------------------------------------------------


def known_variables(service: str) -> set[str]:
    own = set()
    for settings in [SETTINGS[service], *EXTRA_SETTINGS.get(service, [])]:
        prefix = settings.model_config.get("env_prefix", "")
        own |= {f"{prefix}{name}".upper() for name in settings.model_fields if name != "platform"}
    platform = {f"ABONO_{name}".upper() for name in PlatformSettings.model_fields}
    return own | platform | IMAGE_VARIABLES


def _objects(kind: str) -> dict[str, dict[str, str]]:
    found = {}
    for _, doc in documents():
        if doc["kind"] == kind:
            found[doc["metadata"]["name"]] = {**doc.get("data", {}), **doc.get("stringData", {})}
    return found


def deployment_of(name: str) -> dict[str, Any]:
    return next(d for _, d in documents() if d["kind"] == "Deployment" and d["metadata"]["name"] == name)


def pod_environment(service: str) -> dict[str, str]:
    """What the container of the Deployment `service` (e.g. billing, billing-bulk) is given: the Deployment's env,
    its ConfigMaps and Secrets (the example)."""
    config_maps, secrets = _objects("ConfigMap"), _objects("Secret")
    (container,) = deployment_of(service)["spec"]["template"]["spec"]["containers"]
    env: dict[str, str] = {}
    for source in container.get("envFrom", ()):
        if "configMapRef" in source:
            env.update(config_maps[source["configMapRef"]["name"]])
        else:
            ref = source["secretRef"]
            assert ref["name"] in secrets or ref.get("optional"), f"{service}: Secret {ref['name']} has no example"
            env.update(secrets.get(ref["name"], {}))
    for item in container.get("env", ()):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        if ref["key"] in secrets[ref["name"]]:
            env[item["name"]] = secrets[ref["name"]][ref["key"]]
        else:
            assert ref.get("optional"), f"{service}: {ref['name']}.{ref['key']} is missing from the example"
    return env


def compose_environment(service: str) -> dict[str, str | None]:
    compose = yaml.safe_load(COMPOSE.read_text())
    return dict(compose["services"][service]["environment"])


def compose_apps() -> dict[str, dict[str, Any]]:
    """The compose services that run the image's apps (SERVICE_MODULE), by name."""
    compose = yaml.safe_load(COMPOSE.read_text())
    return {name: c for name, c in compose["services"].items() if "SERVICE_MODULE" in (c.get("environment") or {})}


def test_every_app_compose_runs_has_its_deployment() -> None:
    """What `docker compose up` runs, a cluster runs too: issue 20's bulk workers (`<name>-bulk`) included."""
    assert set(compose_apps()) == set(DEPLOYMENTS)
    assert {service_of(d) for d in DEPLOYMENTS} == set(SETTINGS)
    assert sorted(service_of(d) for d in DEPLOYMENTS if d.endswith(BULK)) == ["billing", "notify", "provisioning"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_setting_passed_is_one_the_service_reads(deployment: str) -> None:
    """A misspelt name would be ignored silently (settings ignore unknown variables)."""
    known = known_variables(service_of(deployment))
    assert set(pod_environment(deployment)) - known == set(), "deploy/k8s"
    assert set(compose_environment(deployment)) - known == set(), "docker-compose.yml"


@pytest.mark.parametrize("service", sorted(REQUIRED))
def test_a_production_installation_is_given_what_it_needs(service: str) -> None:
    env = pod_environment(service)
    assert REQUIRED[service] <= set(env), "deploy/k8s"
    assert REQUIRED[service] - {f"{service.upper()}_DATABASE_URL"} <= set(compose_environment(service)), "compose"
    for name in PUBLIC_URLS & set(env):
        assert env[name].startswith("https://"), f"{name} must be the public address, not {env[name]}"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_the_pods_settings_load_in_production(deployment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service starts with exactly what its pod is given (its settings refuse development defaults there)."""
    service = service_of(deployment)
    for name in list(os.environ):
        if name.startswith(("ABONO_", f"{service.upper()}_")):
            monkeypatch.delenv(name)
    for name, value in pod_environment(deployment).items():
        monkeypatch.setenv(name, value)
    settings = SETTINGS[service]()
    assert settings.platform.environment == "production"  # type: ignore[attr-defined]
    for extra in EXTRA_SETTINGS.get(service, []):
        extra().check_production()  # type: ignore[attr-defined]


def test_provisioning_without_its_secret_keys_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why PROVISIONING_SECRET_KEYS is a required secretKeyRef: the development key is refused in production."""
    env = pod_environment("provisioning")
    env.pop("PROVISIONING_SECRET_KEYS")
    for name in list(os.environ):
        if name.startswith(("ABONO_", "PROVISIONING_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="PROVISIONING_SECRET_KEYS"):
        ProvisioningSettings()


# --- issue 20: the bulk lanes' Deployments -----------------------------------------------------------------------
BULK_SERVICES = sorted(service_of(d) for d in DEPLOYMENTS if d.endswith(BULK))


def _container(deployment: str) -> dict[str, Any]:
    (container,) = deployment_of(deployment)["spec"]["template"]["spec"]["containers"]
    return container



def _bulk_listener(service: str, env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[str, int | None]:
    """Where the bulk worker given `env` listens (`<PREFIX>HOST`, `bulk_listener_port()`), as its settings read it
    (from its own `<PREFIX>*` variables: compose's `ABONO_*` ones are interpolated by compose)."""
    own = {k: v for k, v in env.items() if k.startswith(f"{service.upper()}_") and v is not None and "${" not in v}
    settings = _settings_as_deployed(service, own, monkeypatch)
    return settings.host, settings.bulk_listener_port()


@pytest.mark.parametrize("service", BULK_SERVICES)
def test_issue20_a_bulk_deployment_is_its_service_with_service_role_bulk_and_its_own_listener(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As compose's: the app's image, settings, secrets and mounts plus SERVICE_ROLE=bulk, `<PREFIX>BULK_LANE=separate`
    in both (else the app's pods run the bulk lane too); no API, only its listener (`<PREFIX>BULK_METRICS_PORT` on
    0.0.0.0): the one port, a startup and a liveness probe on its `/healthz` (no readiness: no Service), Prometheus's
    annotations on its `/metrics`, and compose's HEALTHCHECK (the image's, for SERVICE_ROLE=bulk) and scrape on the
    same port; a smaller CPU request (its share on a busy node), and no Service, PodDisruptionBudget or other
    Deployment selects its pods."""
    prefix, bulk = f"{service.upper()}_", service + BULK
    app_env, bulk_env = pod_environment(service), pod_environment(bulk)
    assert app_env[f"{prefix}BULK_LANE"] == bulk_env[f"{prefix}BULK_LANE"] == "separate"
    assert bulk_env["SERVICE_ROLE"] == compose_environment(bulk)["SERVICE_ROLE"] == "bulk"
    assert "SERVICE_ROLE" not in app_env
    http = {"SERVICE_PORT", f"{prefix}HOST", f"{prefix}PORT"}
    listener = {"SERVICE_ROLE", f"{prefix}HOST", f"{prefix}BULK_METRICS_PORT"}
    assert {k: v for k, v in app_env.items() if k not in http} == {k: v for k, v in bulk_env.items()
                                                                     if k not in listener}
    app, worker = _container(service), _container(bulk)
    for key in ("image", "envFrom", "volumeMounts", "securityContext"):
        assert worker[key] == app[key], key
    host, port = _bulk_listener(service, bulk_env, monkeypatch)
    assert host == "0.0.0.0" and port is not None
    assert worker["ports"] == [{"name": "metrics", "containerPort": port}]
    for probe in ("startupProbe", "livenessProbe"):
        assert worker[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}, probe
    assert "readinessProbe" not in worker
    annotations = deployment_of(bulk)["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                           "prometheus.io/path": "/metrics"}
    compose = yaml.safe_load(COMPOSE.read_text())["services"][bulk]
    assert "healthcheck" not in compose  # the image's: /healthz on the bulk port for SERVICE_ROLE=bulk
    assert probe_url(compose_environment(bulk)) == f"http://127.0.0.1:{port}/healthz"  # type: ignore[arg-type]
    assert _bulk_listener(service, compose_environment(bulk), monkeypatch) == ("0.0.0.0", port)
    scraped = {target for job in yaml.safe_load(PROMETHEUS.read_text())["scrape_configs"]
               for config in job.get("static_configs", ()) for target in config["targets"]}
    assert f"{bulk}:{port}" in scraped
    cpu = [int(c["resources"]["requests"]["cpu"].removesuffix("m")) for c in (worker, app)]  # millicores
    assert cpu[0] < cpu[1]
    pod = deployment_of(bulk)["spec"]["template"]
    assert pod["spec"]["volumes"] == deployment_of(service)["spec"]["template"]["spec"]["volumes"]
    assert pod["spec"]["enableServiceLinks"] is False
    labels = pod["metadata"]["labels"]
    for _, doc in documents():
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind == "Service":
            selector = doc["spec"]["selector"]
        elif kind in ("Deployment", "PodDisruptionBudget"):
            selector = doc["spec"]["selector"]["matchLabels"]
        else:
            continue
        selects = all(labels.get(k) == v for k, v in selector.items())
        assert selects == (kind == "Deployment" and name == bulk), f"{kind}/{name} selects the {bulk} pods"


# --- connection budget and PgBouncer (#12 item 9) ------------------------------------------------------------------
PGBOUNCER_INI = ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini"
# Server connections PostgreSQL keeps for itself beyond the services': superuser_reserved_connections (3) and, on
# CloudNativePG, the instance manager and the two replicas' streaming (deploy/README.md "Connection budget").
RESERVED = 3 + 10


def _settings_as_deployed(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in list(os.environ):
        if name.startswith(("ABONO_", f"{service.upper()}_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return SETTINGS[service]()


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
        settings = _settings_as_deployed(service_of(deployment), pod_environment(deployment), monkeypatch)
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

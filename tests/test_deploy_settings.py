"""Every setting deploy/k8s and docker-compose.yml pass is one the service reads, and the values a production pod is
given are accepted by that service's settings (#19: the provisioning pods crashed without PROVISIONING_SECRET_KEYS).
Every app compose runs has its Deployment: the bulk workers of issue 20 (`<name>-bulk`) too, probed and scraped on
their own listener."""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml
from deploy_testkit import (
    BULK,
    COMPOSE,
    DEPLOYMENTS,
    PROMETHEUS,
    SETTINGS,
    compose_apps,
    compose_environment,
    deployment_of,
    documents,
    pod_environment,
    service_of,
    settings_as_deployed,
)
from pydantic_settings import BaseSettings

from abono.healthcheck import probe_url
from abono.settings import PlatformSettings
from gateway.identity.config import IdentitySettings
from provisioning.config import ProvisioningSettings

# Settings classes a service reads besides its main one (same prefix family).
EXTRA_SETTINGS: dict[str, list[type[BaseSettings]]] = {"gateway": [IdentitySettings]}
# Read by the image's entry point (deploy/docker-entrypoint.sh), not by the settings classes.
IMAGE_VARIABLES = {"SERVICE_MODULE", "SERVICE_PORT", "SERVICE_NAME", "SERVICE_HOST", "RUN_MIGRATIONS", "UVICORN_ARGS",
                   "SERVICE_ROLE"}
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


def known_variables(service: str) -> set[str]:
    own = set()
    for settings in [SETTINGS[service], *EXTRA_SETTINGS.get(service, [])]:
        prefix = settings.model_config.get("env_prefix", "")
        own |= {f"{prefix}{name}".upper() for name in settings.model_fields if name != "platform"}
    platform = {f"ABONO_{name}".upper() for name in PlatformSettings.model_fields}
    return own | platform | IMAGE_VARIABLES


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
    settings = settings_as_deployed(service, own, monkeypatch)
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


def test_the_gateway_keeps_idle_connections_longer_than_the_ingress_does() -> None:
    # ingress-nginx keeps an idle upstream connection 60 s; had uvicorn closed it first (its default 5 s), a POST sent
    # on it just then would be answered 502. Parsed the way the entry point passes UVICORN_ARGS to uvicorn.
    args = pod_environment("gateway")["UVICORN_ARGS"].split()
    keep_alive = int(args[args.index("--timeout-keep-alive") + 1])
    assert keep_alive > 60

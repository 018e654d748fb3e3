"""What deploy/k8s, docker-compose.yml and deploy/prometheus say, read for the deploy tests (test_deploy_*.py): the
manifests' documents, each Deployment's pod environment as its ConfigMaps, Secrets (the example) and env give it,
compose's environment, and each service's settings as a pod with a given environment loads them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from affiliate.config import AffiliateSettings
from billing.config import BillingSettings
from gateway.config import GatewaySettings
from notify.config import NotifySettings
from provisioning.config import ProvisioningSettings
from support.config import SupportSettings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "docker-compose.yml"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"

SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "billing": BillingSettings,
    "provisioning": ProvisioningSettings,
    "notify": NotifySettings,
    "support": SupportSettings,
    "affiliate": AffiliateSettings,
}
BULK = "-bulk"  # a service's bulk worker (issue 20): `<service>-bulk` in compose and on Kubernetes


def manifest_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml"))


def documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in manifest_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") != "Kustomization":
                yield path, doc


def service_of(deployment: str) -> str:
    """The service a Deployment (or compose service) runs: billing-bulk runs billing's bulk lane."""
    return deployment.removesuffix(BULK)


DEPLOYMENTS = sorted(d["metadata"]["name"] for _, d in documents() if d["kind"] == "Deployment")


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


def settings_as_deployed(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in list(os.environ):
        if name.startswith(("ABONO_", f"{service.upper()}_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return SETTINGS[service]()

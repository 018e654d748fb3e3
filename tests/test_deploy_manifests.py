"""deploy/ and docker-compose.yml, checked offline (#19): YAML lint; every core Kubernetes object against the API's
schema with `kubernetes-validate --strict`; every operator's custom resource against the schema vendored from its CRD
(deploy/schemas, `check-jsonschema`); the compose file against the Compose specification; every manifest applied by a
kustomization. The settings the manifests pass: test_deploy_settings.py; the connection budget:
test_deploy_connection_budget.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from deploy_testkit import COMPOSE, K8S, ROOT, documents, manifest_files

SCHEMAS = ROOT / "deploy" / "schemas"
KUBERNETES_VERSION = "1.33.0"  # the oldest release the manifests promise to work on (deploy/README.md)
BIN = Path(sys.executable).parent


def _id(path: Path, doc: dict[str, Any]) -> str:
    return f"{path.relative_to(K8S)}:{doc['kind']}/{doc['metadata']['name']}"


def schema_for(doc: dict[str, Any]) -> Path | None:
    """The vendored CRD schema of a custom resource, or None for a core kind."""
    group, _, version = doc["apiVersion"].rpartition("/")
    if "." not in group or group.endswith(".k8s.io"):
        return None
    return SCHEMAS / group / f"{doc['kind'].lower()}_{version}.json"


CORE = [(p, d) for p, d in documents() if schema_for(d) is None]
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

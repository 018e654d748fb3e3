"""#19 item 1: the merged OpenAPI document (`/openapi.json`, what `/docs` shows) is written for API users: every
operation has a summary, a description and tags, every tag is described, no summary, description or parameter speaks
in rule ids or issue numbers, every JSON request body carries an example that its own schema accepts, and only
operations that read an access token show a lock. Built offline from the app factories, exactly as the gateway
merges the live documents."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from openapi import build_documents

from gateway.apidocs.merge import BEARER, HTTP_METHODS, merge

# DOMAIN.md's rule ids (A-1, B-12, C-1..C-4, ...) and issue references are for developers, not API users.
INTERNAL = re.compile(r"\b[A-Z]-\d+\b|#\d+\b|\bissue \d+", re.IGNORECASE)
PUBLIC = {  # answered without an access token: no lock in /docs
    ("post", "/api/auth/signup"), ("post", "/api/auth/login"), ("post", "/api/auth/refresh"),
    ("post", "/api/auth/password-reset"), ("get", "/api/billing/catalog/public"),
    ("post", "/api/billing/webhooks/{provider}"), ("get", "/api/support/status"), ("get", "/api/support/kb/search"),
    ("get", "/api/affiliate/r/{code}"), ("get", "/healthz"),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    own, services = build_documents()
    merged = merge(own, services)
    assert set(merged["info"]["x-abono-services"].values()) == {"included"}
    return merged


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def test_every_operation_has_a_summary_a_description_and_described_tags(document: dict[str, Any]) -> None:
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}
    found = list(operations(document))
    assert len(found) > 150
    missing = [f"{m} {p}" for m, p, op in found if not op.get("summary", "").strip() or not op.get("tags")]
    assert missing == [], f"operations without a summary or tags: {missing}"
    # The description is the endpoint function's docstring (or the decorator's description=): written for API users.
    undescribed_ops = [f"{m} {p}" for m, p, op in found if not op.get("description", "").strip()]
    assert undescribed_ops == [], f"operations without a description: {undescribed_ops}"
    undescribed = sorted({tag for _, _, op in found for tag in op["tags"]} - described)
    assert undescribed == [], f"tags with no description (gateway/apidocs/guide.py): {undescribed}"
    for service in ("billing", "provisioning", "notify", "support", "affiliate"):
        assert any(p.startswith(f"/api/{service}/") for _, p, _ in found), service


def test_summaries_and_descriptions_speak_to_api_users(document: dict[str, Any]) -> None:
    internal = [f"{m} {p}: {text}" for m, p, op in found_texts(document) for text in op if INTERNAL.search(text)]
    assert internal == [], "rule ids or issue numbers in the API's text:\n" + "\n".join(internal)
    assert not INTERNAL.search(document["info"]["description"])
    assert "Authorization: Bearer" in document["info"]["description"]


def found_texts(document: dict[str, Any]) -> Iterator[tuple[str, str, list[str]]]:
    for method, path, operation in operations(document):
        parameters = [parameter.get("description", "") for parameter in operation.get("parameters", [])]
        yield method, path, [operation.get("summary", ""), operation.get("description", ""), *parameters]


def test_every_json_request_body_has_an_example_its_schema_accepts(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    bodies = without = 0
    problems: list[str] = []
    for method, path, operation in operations(document):
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        bodies += 1
        schema = media["schema"]
        named = schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
        examples = [*named.get("examples", []), *([media["example"]] if "example" in media else [])]
        if not examples:
            without += 1
            problems.append(f"{method} {path}: no example")
            continue
        validator = Draft202012Validator({**schema, "components": document["components"]})
        problems += [f"{method} {path}: {error.message}" for ex in examples for error in validator.iter_errors(ex)]
    assert bodies > 60
    assert problems == [], "\n".join(problems)


def test_only_operations_that_need_a_token_show_a_lock(document: dict[str, Any]) -> None:
    assert "security" not in document  # no lock by default
    assert document["components"]["securitySchemes"][BEARER]["scheme"] == "bearer"
    locks = {(m, p): bool(op.get("security")) for m, p, op in operations(document)}
    assert {key for key in PUBLIC if locks[key]} == set()
    for key in [("get", "/api/auth/me"), ("post", "/api/billing/orders"), ("get", "/api/billing/staff/catalog/drivers"),
                ("post", "/api/support/tickets"), ("get", "/api/provisioning/services")]:
        assert locks[key], key
    schemes = {name for _, _, op in operations(document) for req in op.get("security", []) for name in req}
    assert schemes == {BEARER}  # one token for the whole platform: one "Authorize"

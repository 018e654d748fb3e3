"""Issue 14 item 7: a client's token gets 403 on every staff operation of the platform, walked from the merged
OpenAPI document the gateway serves (a new staff endpoint is covered without touching this test)."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import httpx

from gateway.apidocs.merge import merge

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"
METHODS = ("get", "post", "put", "patch", "delete")


def _is_staff(path: str) -> bool:
    return "/staff/" in path or path.endswith("/staff")


def _fill(path: str, operation: dict[str, Any]) -> str:
    """The path with a well-formed value for each of its parameters (none of them exists: 403 comes first)."""
    kinds = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p.get("in") == "path"}

    def value(match: re.Match[str]) -> str:
        schema = kinds.get(match.group(1), {})
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        if schema.get("type") == "integer":
            return "1"
        if "enum" in schema:
            return str(schema["enum"][0])
        return "USD" if "currency" in match.group(1) else "x1"

    return re.sub(r"\{([^}]+)\}", value, path)


async def merged_document(gateway: httpx.AsyncClient, platform: Platform) -> dict[str, Any]:
    """The document the gateway serves at /openapi.json, each service's part read without the gateway's short
    fetch timeout (a busy machine must not drop a service from the walk)."""
    services: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=30) as http:
        for name, url in platform.service_urls.items():
            response = await http.get(f"{url}/openapi.json")
            assert response.status_code == 200, (name, response.status_code)
            services[name] = response.json()
    return merge((await gateway.get("/openapi.json")).json(), services)


async def test_i7_a_client_token_gets_403_on_every_staff_operation_of_the_merged_document(
    gateway: httpx.AsyncClient, platform: Platform, admin_headers: dict[str, str]
) -> None:
    email = f"walker-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Eva", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    client = await platform.login(gateway, email, PASSWORD)
    doc = await merged_document(gateway, platform)
    walked, wrong = [], []
    for path, operations in doc["paths"].items():
        if not _is_staff(path):
            continue
        for method in METHODS:
            if method not in operations:
                continue
            url = _fill(path, operations[method])
            body = {} if method in ("post", "put", "patch") else None
            response = await gateway.request(method.upper(), url, json=body, headers=client)
            walked.append(f"{method.upper()} {path}")
            if response.status_code != 403:
                wrong.append(f"{method.upper()} {url} → {response.status_code}")
    assert len(walked) > 40, walked
    for expected in (
        "GET /api/auth/staff/clients",
        "GET /api/billing/staff/invoices",
        "POST /api/billing/staff/invoices/{invoice_id}/confirm-transfer",
        "GET /api/provisioning/staff/services",
    ):
        assert expected in walked
    assert wrong == []
    # And staff do reach them: the same document's search answers an admin.
    assert (await gateway.get("/api/auth/staff/clients", params={"q": "eva"}, headers=admin_headers)).status_code == 200

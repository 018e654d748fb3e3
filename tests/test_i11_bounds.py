"""Issue 11 item 1: every number and string a client sends is bounded, and the schema says so.

The structural test walks every operation of every service (and the gateway) and fails on any request parameter
or body field without a maximum; the end-to-end test sends the reported examples through the gateway."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"
BIG = 2**63  # one past PostgreSQL's bigint


def unbounded(schema: dict[str, Any], doc: dict[str, Any], where: str, seen: tuple[str, ...] = ()) -> Iterator[str]:
    """Each place under `schema` a client could send something without an upper bound."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from unbounded(doc["components"]["schemas"][name], doc, f"{where}<{name}>", (*seen, name))
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from unbounded(sub, doc, where, seen)
    kind = schema.get("type")
    if kind == "integer" and not ({"maximum", "exclusiveMaximum"} & schema.keys()
                                  and {"minimum", "exclusiveMinimum"} & schema.keys()):
        yield f"{where}: integer without minimum and maximum"
    if kind == "number" and not {"maximum", "exclusiveMaximum"} & schema.keys():
        yield f"{where}: number without maximum"
    bounded = {"maxLength", "enum", "const"} & schema.keys() or schema.get("format") in {"uuid", "date", "date-time"}
    if kind == "string" and not bounded:
        yield f"{where}: string without maxLength"
    if kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: array without maxItems"
        yield from unbounded(schema.get("items", {}), doc, f"{where}[]", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from unbounded(sub, doc, f"{where}.{name}", seen)
    extra = schema.get("additionalProperties")
    if extra is True or isinstance(extra, dict):
        if "maxProperties" not in schema:
            yield f"{where}: object without maxProperties"
        if isinstance(extra, dict):
            yield from unbounded(extra, doc, f"{where}{{}}", seen)


def test_i11_every_request_field_of_every_service_has_a_declared_maximum(every_app: dict[str, FastAPI]) -> None:
    problems, operations = [], 0
    for service, app in every_app.items():
        doc = app.openapi()
        for path, methods in doc["paths"].items():
            for method, operation in methods.items():
                operations += 1
                where = f"{service} {method.upper()} {path}"
                for parameter in operation.get("parameters", []):
                    problems += unbounded(parameter.get("schema", {}), doc,
                                          f"{where} {parameter['in']}:{parameter['name']}")
                for body in operation.get("requestBody", {}).get("content", {}).values():
                    problems += unbounded(body.get("schema", {}), doc, f"{where} body")
    assert operations > 50
    assert problems == []


@pytest.fixture
async def client_headers(gateway: httpx.AsyncClient, platform: Platform) -> dict[str, str]:
    email = f"bounds-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Eva", "country": "AR"})
    assert signup.status_code == 202, signup.text
    return await platform.login(gateway, email, PASSWORD)


def _is_short_problem(response: httpx.Response, status: int = 422) -> bool:
    return (response.status_code == status and response.headers["content-type"] == "application/problem+json"
            and len(response.content) < 4000)


async def test_i11_oversized_numbers_and_strings_are_422_with_a_short_answer(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], client_headers: dict[str, str]
) -> None:
    invoice = uuid.uuid4()
    report = {"reference": "OP-1", "amount_minor": BIG, "paid_on": "2026-01-02", "proof": "receipt"}
    assert _is_short_problem(await gateway.post(f"/api/billing/invoices/{invoice}/transfer-report", json=report,
                                                headers=client_headers))
    assert _is_short_problem(await gateway.get(f"/api/notify/inbox?offset={BIG}", headers=client_headers))
    coupon = {"code": "BIGONE", "amount_minor": BIG, "currency": "USD"}
    assert _is_short_problem(await gateway.post("/api/billing/staff/coupons", json=coupon, headers=admin_headers))
    coupon = {"code": "MANYUSES", "percent": 10, "max_uses": BIG}
    assert _is_short_problem(await gateway.post("/api/billing/staff/coupons", json=coupon, headers=admin_headers))
    price = await gateway.put("/api/billing/staff/catalog/products/vps-1/prices/monthly/USD",
                              json={"amount_minor": BIG}, headers=admin_headers)
    assert _is_short_problem(price)
    # A long coupon code is refused by its length, and the answer does not quote it back.
    order = {"items": [{"product_code": "vps-1", "cycle": "monthly"}], "coupon": "C" * 500_000}
    preview = await gateway.post("/api/billing/orders/preview", json=order, headers=client_headers)
    assert _is_short_problem(preview) and "CCCCCCCCCC" not in preview.text
    # An unknown field name is quoted as an excerpt only.
    profile = await gateway.patch("/api/auth/me", json={"x" * 100_000: 1}, headers=client_headers)
    assert _is_short_problem(profile)


async def test_i11_an_unknown_currency_in_a_price_path_is_422(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    for currency in ("XXX", "usd", "EURO", "Z" * 300):
        response = await gateway.put(f"/api/billing/staff/catalog/products/vps-1/prices/monthly/{currency}",
                                     json={"amount_minor": 100}, headers=admin_headers)
        assert _is_short_problem(response), (currency, response.status_code, response.text[:200])

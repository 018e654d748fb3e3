"""Issue #3 end to end through the gateway with the test clock: order → invoice → pay (staff confirm a transfer) →
renewal invoice on day -15 → reminders -10/-5/-1 → unpaid → B-4 suspension on day +2 → all services on business
day +5 (B-5) → termination and cancellation on day +25 (B-6). Billing's outbox shows each event once."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import asyncpg
import httpx

from abono.db import asyncpg_dsn, make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.catalog.seeding import load_seed_catalog
from billing.cycles import add_business_days

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"
START = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)  # noon in Buenos Aires


async def billing_events(platform: Platform, routing_key: str, client_id: str) -> list[dict[str, object]]:
    conn = await asyncpg.connect(asyncpg_dsn(platform.database_urls["billing"]))
    try:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE routing_key = $1 ORDER BY id", routing_key)
    finally:
        await conn.close()
    return [p for p in (json.loads(r["payload"]) for r in rows) if p.get("client_id") == client_id]


async def test_b1_to_b6_a_client_from_order_to_termination_on_the_test_clock(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform
) -> None:
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)  # what `python -m billing.seed` does for `make run`
    await engine.dispose()

    async def move_to(day: date) -> None:
        instant = START + timedelta(days=(day - START.date()).days)
        moved = await gateway.put("/api/test/clock", json={"now": instant.isoformat()}, headers=admin_headers)
        assert moved.status_code == 200, moved.text

    await move_to(START.date())
    email = f"dora-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Dora", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)
    client_id = await platform.client_id(gateway, headers)

    async def billing_knows_the_client() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows_the_client, what="billing to learn of the client")

    # Order two services: one renews monthly, the other yearly.
    order = {"items": [{"product_code": "vps-1", "cycle": "monthly"},
                       {"product_code": "webmaster-basic", "cycle": "annual"}]}
    preview = await gateway.post("/api/billing/orders/preview", json=order, headers=headers)
    assert preview.status_code == 200, preview.text
    placed = await gateway.post("/api/billing/orders", json=order, headers=headers)
    assert placed.status_code == 201, placed.text
    assert placed.json()["total_due"] == preview.json()["total"]
    invoice_id = placed.json()["invoice_id"]
    paid = await gateway.post(f"/api/billing/staff/invoices/{invoice_id}/confirm-transfer", headers=admin_headers,
                              json={"amount_minor": placed.json()["total_due"]["amount_minor"],
                                    "transfer_reference": f"PREX-{uuid.uuid4().hex[:10]}"})
    assert paid.status_code == 200 and paid.json()["invoice_status"] == "paid", paid.text
    services = {s["product_code"]: s for s in (await gateway.get("/api/billing/services", headers=headers)).json()}
    assert {s["status"] for s in services.values()} == {"active"}
    due = date.fromisoformat(services["vps-1"]["next_due_on"])
    assert due == date(2027, 4, 1)
    pdf = await gateway.get(f"/api/billing/invoices/{invoice_id}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    async def count(routing_key: str, expected: int) -> None:
        async def reached() -> bool:
            return len(await billing_events(platform, routing_key, client_id)) >= expected

        await wait_for(reached, what=f"{expected} x {routing_key}")

    # Day -15: the renewal invoice (B-2).
    await move_to(due - timedelta(days=16))
    await move_to(due - timedelta(days=15))

    async def renewal_issued() -> bool:
        invoices = (await gateway.get("/api/billing/invoices", headers=headers)).json()
        return any(i["kind"] == "renewal" for i in invoices)

    await wait_for(renewal_issued, what="the renewal invoice")
    renewal = next(i for i in (await gateway.get("/api/billing/invoices", headers=headers)).json()
                   if i["kind"] == "renewal")
    assert renewal["due_on"] == str(due) and renewal["issued_at"][:10] == str(due - timedelta(days=15))
    # Reminders (B-3).
    for n, days in enumerate((10, 5, 1), start=1):
        await move_to(due - timedelta(days=days))
        await count("billing.invoice.reminder", n)
    # Unpaid: B-4 on day +2, B-5 on business day +5, B-6 on day +25.
    await move_to(due + timedelta(days=2))
    await count("billing.service.suspension_decided", 1)
    b5_day = add_business_days(due, 5, "AR")
    await move_to(b5_day)
    await count("billing.service.suspension_decided", 2)
    await move_to(due + timedelta(days=25))
    await count("billing.service.termination_decided", 1)
    await count("billing.invoice.cancelled", 1)

    reminders = await billing_events(platform, "billing.invoice.reminder", client_id)
    assert [r["days_before"] for r in reminders] == [10, 5, 1]
    suspensions = await billing_events(platform, "billing.service.suspension_decided", client_id)
    assert [(s["rule"], s["service_ids"]) for s in suspensions] == [
        ("B-4", [services["vps-1"]["id"]]), ("B-5", [services["webmaster-basic"]["id"]])]
    assert suspensions[1]["occurred_at"][:10] == str(b5_day)
    terminations = await billing_events(platform, "billing.service.termination_decided", client_id)
    assert [(t["rule"], t["service_ids"], t["invoice_id"]) for t in terminations] == [
        ("B-6", [services["vps-1"]["id"]], renewal["id"])]
    assert len(await billing_events(platform, "billing.invoice.issued", client_id)) == 2
    assert len(await billing_events(platform, "billing.invoice.paid", client_id)) == 1
    final = (await gateway.get(f"/api/billing/invoices/{renewal['id']}", headers=headers)).json()
    assert final["status"] == "cancelled"


async def test_i19_the_public_catalog_answers_through_the_gateway_without_a_token(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    """#19 item 2: a storefront reads the catalog at the gateway with no login, and `/openapi.json` shows no lock."""
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
    await engine.dispose()
    response = await gateway.get("/api/billing/catalog/public", params={"country": "AR"})
    assert response.status_code == 200, response.text
    assert response.json()["currency"] == "ARS" and response.json()["products"]
    document = (await gateway.get("/openapi.json")).json()
    (operation,) = [op["get"] for path, op in document["paths"].items() if path.endswith("/catalog/public")]
    assert operation["security"] == []


async def test_i19_an_errors_instance_is_the_path_the_caller_used_at_the_gateway(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    """#19 item 1: problem+json's `instance` names the gateway's path, not the service's internal one."""
    missing = await gateway.get("/api/billing/clients/me")  # no token
    assert missing.status_code == 401
    assert missing.json()["instance"] == "/api/billing/clients/me"
    invalid = await gateway.get("/api/billing/catalog/public", params={"country": "ZZ"})
    assert invalid.status_code == 422 and invalid.json()["instance"] == "/api/billing/catalog/public"
    direct = httpx.AsyncClient(base_url=platform.service_urls["billing"])
    async with direct:  # called directly (or with a forged prefix), a service names its own path
        forged = await direct.get("/clients/me", headers={"X-Forwarded-Prefix": "https://evil.example/x"})
    assert forged.json()["instance"] == "/clients/me"

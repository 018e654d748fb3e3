"""The scheduler: renewals (B-1, B-2, B-16) exactly once even with concurrent runners, and dunning (B-3..B-8)
walked day by day with an injected clock."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from billing_helpers import admin, auth, new_client, outbox, sql, staff
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import FixedClock
from abono.db import make_engine, make_sessionmaker
from billing.config import BillingSettings
from billing.cycles import add_business_days
from billing.renewals.service import B16_NOTE
from billing.scheduler.runner import run_once

SETTINGS = BillingSettings()
TZ = ZoneInfo(SETTINGS.calendar_timezone)


def at(day: date) -> FixedClock:
    """Noon on the provider's calendar day."""
    return FixedClock(datetime.combine(day, time(12), tzinfo=TZ).astimezone(UTC))


async def run(sessionmaker: async_sessionmaker[AsyncSession], day: date) -> None:
    await run_once(sessionmaker=sessionmaker, clock=at(day), settings=SETTINGS)


async def paid_order(billing: httpx.AsyncClient, client_id: uuid.UUID, items: list[dict[str, object]]
                     ) -> dict[str, object]:
    placed = (await billing.post("/orders", headers=auth(client_id), json={"items": items})).json()
    invoice = (await billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(client_id))).json()
    paid = await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer", headers=staff(), json={
        "amount_minor": invoice["total_due"]["amount_minor"], "transfer_reference": uuid.uuid4().hex})
    assert paid.json()["invoice_status"] == "paid", paid.text
    result: dict[str, object] = placed
    return result


async def services(billing: httpx.AsyncClient, client_id: uuid.UUID) -> dict[str, dict[str, object]]:
    return {s["product_code"]: s for s in (await billing.get("/services", headers=auth(client_id))).json()}


async def renewal_invoices(billing_db: str, client_id: uuid.UUID) -> list[dict[str, object]]:
    return await sql(billing_db, "SELECT * FROM invoices WHERE client_id = $1 AND kind = 'renewal' ORDER BY number",
                     client_id)


def test_b5_business_days_skip_weekends_and_argentine_holidays() -> None:
    # Thursday 1 April 2027; Friday 2 April is Malvinas day: business days 5, 6, 7, 8, 9 April.
    assert add_business_days(date(2027, 4, 1), 5, "AR") == date(2027, 4, 9)
    assert add_business_days(date(2027, 3, 5), 1, "AR") == date(2027, 3, 8)  # Friday → Monday


async def test_b1_b2_b16_renewal_15_days_before_merged_per_day_at_the_current_price(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    await paid_order(billing, client_id, [{"product_code": "vps-2", "cycle": "monthly"},
                                          {"product_code": "chat-rooms", "cycle": "monthly"},
                                          {"product_code": "email-marketing", "cycle": "annual"}])
    due = date.fromisoformat(str((await services(billing, client_id))["vps-2"]["next_due_on"]))
    await run(sessionmaker, due - timedelta(days=16))
    assert await renewal_invoices(billing_db, client_id) == []
    # B-16: the renewal carries the price in force when it is issued.
    assert (await billing.put("/staff/catalog/products/chat-rooms/prices/monthly/USD", json={"amount_minor": 700},
                              headers=admin())).status_code == 200
    await run(sessionmaker, due - timedelta(days=15))
    await run(sessionmaker, due - timedelta(days=15))
    invoices = await renewal_invoices(billing_db, client_id)
    assert len(invoices) == 1  # B-1: the two monthly services share one invoice; the annual one is not due
    assert invoices[0]["due_on"] == due and invoices[0]["note"] == B16_NOTE
    lines = await sql(billing_db, "SELECT unit_price_minor FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
                      invoices[0]["id"])
    assert sorted(line["unit_price_minor"] for line in lines) == [700, 2800]
    issued = await outbox(billing_db, "billing.invoice.issued", invoice_id=str(invoices[0]["id"]))
    assert len(issued) == 1


async def test_b2_two_concurrent_runners_issue_exactly_one_invoice_per_subscription_and_period(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    clients = [await new_client(billing_db) for _ in range(6)]
    for client_id in clients:
        await paid_order(billing, client_id, [{"product_code": "web-builder", "cycle": "monthly", "quantity": 3}])
    due = date.fromisoformat(str((await services(billing, clients[0]))["web-builder"]["next_due_on"]))
    engines = [make_engine(billing_db, pool_size=4) for _ in range(2)]
    try:
        runners = [run_once(sessionmaker=make_sessionmaker(e), clock=at(due - timedelta(days=15)), settings=SETTINGS)
                   for e in engines for _ in range(2)]
        await asyncio.gather(*runners)
    finally:
        for engine in engines:
            await engine.dispose()
    for client_id in clients:
        assert len(await renewal_invoices(billing_db, client_id)) == 1
    duplicates = await sql(billing_db, """
        SELECT s, l.period_start_on, count(*) AS n FROM invoice_lines l CROSS JOIN unnest(l.service_ids) AS s
        JOIN invoices i ON i.id = l.invoice_id WHERE i.client_id = ANY($1::uuid[])
        GROUP BY s, l.period_start_on HAVING count(*) > 1""", clients)
    assert duplicates == []


async def test_b3_to_b6_dunning_walks_reminders_suspensions_and_termination_each_once(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    await paid_order(billing, client_id, [{"product_code": "vps-1", "cycle": "monthly"},
                                          {"product_code": "webmaster-basic", "cycle": "annual"}])
    owned = await services(billing, client_id)
    due = date.fromisoformat(str(owned["vps-1"]["next_due_on"]))
    b5_day = add_business_days(due, 5, "AR")
    for offset in range(-15, 26):
        day = due + timedelta(days=offset)
        await run(sessionmaker, day)
        await run(sessionmaker, day)  # a second run the same day changes nothing
        if offset == 1:
            assert await outbox(billing_db, "billing.service.suspension_decided", client_id=str(client_id)) == []
        if day == b5_day - timedelta(days=1):
            assert len(await outbox(billing_db, "billing.service.suspension_decided", client_id=str(client_id))) == 1
        if offset == 24:
            assert await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id)) == []
    invoice = (await renewal_invoices(billing_db, client_id))[0]
    reminders = await outbox(billing_db, "billing.invoice.reminder", invoice_id=str(invoice["id"]))
    assert [r["days_before"] for r in reminders] == [10, 5, 1]
    assert [r["occurred_at"][:10] for r in reminders] == [str(due - timedelta(days=d)) for d in (10, 5, 1)]
    suspensions = await outbox(billing_db, "billing.service.suspension_decided", client_id=str(client_id))
    assert [(s["rule"], s["service_ids"], s["occurred_at"][:10]) for s in suspensions] == [
        ("B-4", [owned["vps-1"]["id"]], str(due + timedelta(days=2))),
        ("B-5", [owned["webmaster-basic"]["id"]], str(b5_day)),  # every other active service of the client
    ]
    ended = await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id))
    assert [(t["rule"], t["service_ids"], t["occurred_at"][:10]) for t in ended] == [
        ("B-6", [owned["vps-1"]["id"]], str(due + timedelta(days=25)))]
    cancelled = await outbox(billing_db, "billing.invoice.cancelled", invoice_id=str(invoice["id"]))
    assert len(cancelled) == 1
    statuses = {code: s["status"] for code, s in (await services(billing, client_id)).items()}
    assert statuses == {"vps-1": "terminated", "webmaster-basic": "suspended"}
    assert (await renewal_invoices(billing_db, client_id))[0]["status"] == "cancelled"


async def test_b6_b10_credit_used_by_a_cancelled_invoice_comes_back(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    placed = (await billing.post("/orders", headers=auth(client_id),
                                 json={"items": [{"product_code": "vps-1", "cycle": "monthly"}]})).json()
    invoice = (await billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(client_id))).json()
    overpaid = await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer", headers=staff(), json={
        "amount_minor": invoice["total_due"]["amount_minor"] + 500, "transfer_reference": uuid.uuid4().hex})
    assert overpaid.json()["invoice_status"] == "paid", overpaid.text

    async def credit_minor() -> int:
        balances = (await billing.get("/credit", headers=auth(client_id))).json()["balances"]
        return sum(b["amount_minor"] for b in balances)

    assert await credit_minor() == 500  # B-10: the excess is credit
    due = date.fromisoformat(str((await services(billing, client_id))["vps-1"]["next_due_on"]))
    await run(sessionmaker, due - timedelta(days=15))
    renewal = (await renewal_invoices(billing_db, client_id))[0]
    assert renewal["credit_applied_minor"] == 500 and renewal["status"] == "unpaid"
    assert await credit_minor() == 0
    await run(sessionmaker, due + timedelta(days=25))  # B-6: cancelled unpaid
    assert (await renewal_invoices(billing_db, client_id))[0]["status"] == "cancelled"
    assert await credit_minor() == 500


async def test_b3_b7_b8_b13_paying_the_overdue_renewal_reactivates_and_stops_dunning(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    await paid_order(billing, client_id, [{"product_code": "radio-basic", "cycle": "monthly"}])
    service = (await services(billing, client_id))["radio-basic"]
    due = date.fromisoformat(str(service["next_due_on"]))
    for offset in (-15, -10, 2):
        await run(sessionmaker, due + timedelta(days=offset))
    invoice = (await renewal_invoices(billing_db, client_id))[0]
    assert (await services(billing, client_id))["radio-basic"]["status"] == "suspended"
    # B-13: while suspended, a new order gets no discount at all (annual would be 20%).
    preview = (await billing.post("/orders/preview", headers=auth(client_id), json={"items": [
        {"product_code": "web-builder", "cycle": "annual"}]})).json()
    assert preview["lines"][0]["discounts"] == []
    paid = await billing.post(f"/staff/invoices/{invoice['id']}/confirm-transfer", headers=staff(), json={
        "amount_minor": invoice["total_minor"], "transfer_reference": uuid.uuid4().hex})
    assert paid.json()["invoice_status"] == "paid"
    event = (await outbox(billing_db, "billing.invoice.paid", invoice_id=str(invoice["id"])))[0]
    assert event["reactivate_service_ids"] == [service["id"]] and event["client_has_overdue"] is False
    after = (await services(billing, client_id))["radio-basic"]
    assert after["status"] == "active" and after["cycle"] == "quarterly"  # B-8
    assert date.fromisoformat(str(after["next_due_on"])) > due
    for offset in (3, 6, 26):  # nothing more for the paid invoice
        await run(sessionmaker, due + timedelta(days=offset))
    assert len(await outbox(billing_db, "billing.service.suspension_decided", client_id=str(client_id))) == 1
    assert await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id)) == []

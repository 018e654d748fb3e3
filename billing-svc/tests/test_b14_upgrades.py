"""B-14 upgrades: the prorated difference on an invoice line that shows the computation, `UpgradeRequested`, the
upgrade applied when that invoice is paid (`InvoicePaid.upgrade_ids`), renewals at the new price; a negative
difference becomes credit; no downgrade, no path → a ticket (C-3); an unpaid upgrade expires, never dunned."""

import uuid
from datetime import timedelta

import httpx
from billing_helpers import (
    admin,
    auth,
    new_client,
    outbox,
    paid_order,
    pay,
    run_scheduler,
    sql,
    today,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def _mid_period(billing_db: str, service_id: str, days_in: int, days_left: int) -> None:
    """Move the service's paid period so that `days_in` days of it have passed and `days_left` remain."""
    sid = uuid.UUID(service_id)
    start, end = today() - timedelta(days=days_in), today() + timedelta(days=days_left)
    await sql(billing_db, "UPDATE invoice_lines SET period_start_on = $2, period_end_on = $3 "
              "WHERE $1 = ANY(service_ids)", sid, start, end)
    await sql(billing_db, "UPDATE subscriptions SET next_due_on = $2 WHERE id = $1", sid, end)


async def test_b14_upgrade_charges_the_prorated_difference_and_is_applied_when_paid(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": "vps-1", "cycle": "monthly"}])
    service_id = str(placed["service_ids"][0])  # type: ignore[index]
    await _mid_period(billing_db, service_id, days_in=10, days_left=20)
    due = today() + timedelta(days=20)
    await run_scheduler(sessionmaker, due - timedelta(days=15))  # the next renewal, at vps-1's price
    [renewal] = await sql(billing_db, "SELECT * FROM invoices WHERE client_id = $1 AND kind = 'renewal'", client_id)
    assert renewal["total_minor"] == 1500

    preview = await billing.post(f"/services/{service_id}/upgrade/preview", headers=auth(client_id),
                                 json={"product_code": "vps-2"})
    assert preview.status_code == 200, preview.text
    [proration] = preview.json()["prorations"]
    assert (proration["remaining_days"], proration["period_days"], proration["difference"]["amount_minor"]) == (
        20, 30, 867)  # (28.00 - 15.00) * 20/30 = 8.666… → 8.67
    assert preview.json()["total"]["amount_minor"] == 867
    upgraded = await billing.post(f"/services/{service_id}/upgrade", headers=auth(client_id),
                                  json={"product_code": "vps-2"})
    assert upgraded.status_code == 201, upgraded.text
    body = upgraded.json()
    invoice, upgrade_id = body["invoice"], body["upgrade_id"]
    assert body["status"] == "requested" and invoice["kind"] == "upgrade" and invoice["status"] == "unpaid"
    [line] = invoice["lines"]
    assert line["kind"] == "upgrade" and line["amount"]["amount_minor"] == 867
    assert "(28.00 USD - 15.00 USD) * 20/30 días = 8.67 USD" in line["description"]
    [requested] = await outbox(billing_db, "billing.upgrade.requested", upgrade_id=upgrade_id)
    assert requested["invoice_id"] == invoice["id"] and requested["to_product_code"] == "vps-2"
    # Nothing changes until it is paid; one upgrade at a time.
    assert (await billing.get(f"/services/{service_id}", headers=auth(client_id))).json()["product_code"] == "vps-1"
    twice = await billing.post(f"/services/{service_id}/upgrade", headers=auth(client_id),
                               json={"product_code": "vps-2"})
    assert twice.status_code == 409

    await pay(billing, invoice["id"], 867)
    [paid] = await outbox(billing_db, "billing.invoice.paid", invoice_id=invoice["id"])
    assert paid["upgrade_ids"] == [upgrade_id]
    service = (await billing.get(f"/services/{service_id}", headers=auth(client_id))).json()
    assert service["product_code"] == "vps-2" and service["price"]["amount_minor"] == 2800
    assert service["next_due_on"] == str(due)  # the paid period is unchanged
    # B-9: the unpaid renewal was cancelled and re-issued at the new plan's price.
    renewals = await sql(billing_db, "SELECT status, total_minor, cancel_reason FROM invoices WHERE client_id = $1 "
                         "AND kind = 'renewal' ORDER BY number", client_id)
    assert [(r["status"], r["total_minor"]) for r in renewals] == [("cancelled", 1500), ("unpaid", 2800)]
    assert str(renewals[0]["cancel_reason"]).startswith("Mejora a ")  # as the client reads it: no rule id


async def test_b14_no_path_asks_for_a_ticket_and_a_downgrade_is_refused(billing: httpx.AsyncClient,
                                                                       billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": "hosting-plus", "cycle": "annual"},
                                                   {"product_code": "vps-1", "cycle": "monthly"}])
    hosting, vps = placed["service_ids"]  # type: ignore[misc]
    down = await billing.post(f"/services/{hosting}/upgrade/preview", headers=auth(client_id),
                              json={"product_code": "hosting-basic"})
    assert down.status_code == 409 and down.headers["content-type"] == "application/problem+json"
    assert "cancel" in down.json()["detail"]
    no_path = await billing.post(f"/services/{vps}/upgrade", headers=auth(client_id),
                                 json={"product_code": "dedicated"})
    assert no_path.status_code == 409 and "ticket" in no_path.json()["detail"]
    unknown = await billing.post(f"/services/{vps}/upgrade", headers=auth(client_id), json={"product_code": "nope"})
    assert unknown.status_code == 404
    assert await outbox(billing_db, "billing.upgrade.requested", client_id=str(client_id)) == []


async def test_b14_a_negative_difference_becomes_credit_and_the_upgrade_applies_at_once(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    # An upgrade path whose target costs less (a promotion on the bigger plan): the difference is credit.
    suffix = uuid.uuid4().hex[:6]
    for code, price, upgrade_to in ((f"big-{suffix}", 1000, []), (f"small-{suffix}", 1600, [f"big-{suffix}"])):
        created = await billing.post("/staff/catalog/products", headers=admin(), json={
            "code": code, "name": code, "kind": "vps", "cycles": ["monthly"], "activation": "manual",
            "driver": "proxmox", "upgrade_to": upgrade_to,
            "prices": [{"cycle": "monthly", "currency": "USD", "amount_minor": price}]})
        assert created.status_code == 201, created.text
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": f"small-{suffix}", "cycle": "monthly"}])
    service_id = str(placed["service_ids"][0])  # type: ignore[index]
    await _mid_period(billing_db, service_id, days_in=15, days_left=15)
    upgraded = await billing.post(f"/services/{service_id}/upgrade", headers=auth(client_id),
                                  json={"product_code": f"big-{suffix}"})
    assert upgraded.status_code == 201, upgraded.text
    body = upgraded.json()
    assert body["preview"]["credit"]["amount_minor"] == 300  # (10.00 - 16.00) * 15/30 = -3.00
    assert body["invoice"]["status"] == "paid" and body["invoice"]["total_due"]["amount_minor"] == 0
    assert "saldo a favor 3.00 USD" in body["invoice"]["lines"][0]["description"]
    assert (await billing.get("/credit", headers=auth(client_id))).json()["balances"] == [
        {"amount_minor": 300, "currency": "USD"}]
    [paid] = await outbox(billing_db, "billing.invoice.paid", invoice_id=body["invoice"]["id"])
    assert paid["upgrade_ids"] == [body["upgrade_id"]]
    service = (await billing.get(f"/services/{service_id}", headers=auth(client_id))).json()
    assert service["product_code"] == f"big-{suffix}"


async def test_b14_an_unpaid_upgrade_is_never_dunned_and_expires(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": "radio-basic", "cycle": "annual"}])
    service_id = str(placed["service_ids"][0])  # type: ignore[index]
    upgraded = (await billing.post(f"/services/{service_id}/upgrade", headers=auth(client_id),
                                   json={"product_code": "radio-pro"})).json()
    invoice_id = upgraded["invoice"]["id"]
    for offset in (3, 6):  # past B-4 and B-5 deadlines: an upgrade left unpaid is no debt
        await run_scheduler(sessionmaker, today() + timedelta(days=offset))
    assert await outbox(billing_db, "billing.service.suspension_decided", client_id=str(client_id)) == []
    assert (await billing.get(f"/services/{service_id}", headers=auth(client_id))).json()["status"] == "active"
    await run_scheduler(sessionmaker, today() + timedelta(days=8))
    await run_scheduler(sessionmaker, today() + timedelta(days=9))
    [cancelled] = await outbox(billing_db, "billing.invoice.cancelled", invoice_id=invoice_id)
    assert cancelled["reason"] == "La mejora no se pagó a tiempo."
    rows = await sql(billing_db, "SELECT status FROM upgrades WHERE id = $1", uuid.UUID(upgraded["upgrade_id"]))
    assert rows == [{"status": "cancelled"}]
    # A new upgrade may be asked for again.
    again = await billing.post(f"/services/{service_id}/upgrade/preview", headers=auth(client_id),
                               json={"product_code": "radio-pro"})
    assert again.status_code == 200

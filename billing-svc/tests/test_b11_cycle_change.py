"""B-11 cycle change: up to 5 days before the next renewal, to a cycle the product allows; an unpaid renewal
invoice already issued is cancelled and re-issued (B-9), for every service it held (B-1), with its credit."""

import uuid
from datetime import date, timedelta

import httpx
from billing_helpers import auth, new_client, outbox, paid_order, run_scheduler, sql, today
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing.cycles import add_months


async def test_b11_b9_b1_cycle_change_cancels_the_merged_renewal_and_reissues_it_for_all_its_services(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": "vps-1", "cycle": "monthly"},
                                                   {"product_code": "chat-rooms", "cycle": "monthly"}],
                              extra_minor=300)  # 3.00 of credit balance
    vps, chat = placed["service_ids"]  # type: ignore[misc]
    due = date.fromisoformat(str((await billing.get(f"/services/{vps}", headers=auth(client_id))).json()[
        "next_due_on"]))
    await run_scheduler(sessionmaker, due - timedelta(days=15))
    [old] = await sql(billing_db, "SELECT * FROM invoices WHERE client_id = $1 AND kind = 'renewal'", client_id)
    assert (old["total_minor"], old["credit_applied_minor"]) == (1500 + 500 - 300, 300)

    changed = await billing.post(f"/services/{vps}/cycle", headers=auth(client_id), json={"cycle": "annual"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["service"]["cycle"] == "annual" and body["cancelled_invoice_id"] == str(old["id"])
    new = body["invoice"]
    assert new["kind"] == "renewal" and new["due_on"] == str(due) and old["number"] in new["note"]
    lines = {tuple(line["service_ids"]): line for line in new["lines"]}
    annual = lines[(vps,)]
    assert (annual["cycle"], annual["gross"]["amount_minor"], annual["amount"]["amount_minor"]) == (
        "annual", 18_000, 14_400)  # B-12: the annual discount, 20%
    assert [d["rule"] for d in annual["discounts"]] == ["cycle"]
    assert lines[(chat,)]["cycle"] == "monthly" and lines[(chat,)]["amount"]["amount_minor"] == 500
    assert annual["period_end_on"] == str(add_months(due, 12))
    # The credit the old invoice used comes back and pays the new one.
    assert new["credit_applied"]["amount_minor"] == 300 and new["total_due"]["amount_minor"] == 14_400 + 500 - 300
    assert (await billing.get("/credit", headers=auth(client_id))).json()["balances"][0]["amount_minor"] == 0
    status = await sql(billing_db, "SELECT status, cancel_reason FROM invoices WHERE id = $1", old["id"])
    # Told to the client as it reads it (the invoice page, the cancellation mail): no rule ids, no codes.
    reason = "Cambio de ciclo de facturación: de mensual a anual."
    assert status[0]["status"] == "cancelled" and status[0]["cancel_reason"] == reason
    cancelled = await outbox(billing_db, "billing.invoice.cancelled", invoice_id=str(old["id"]))
    assert len(cancelled) == 1 and cancelled[0]["reason"] == reason
    [issued] = await outbox(billing_db, "billing.invoice.issued", invoice_id=new["id"])
    # B-11 reaches provisioning: each line says the cycle it bills (a domain renews that many years, D-2).
    assert {(line["service_id"], line["cycle"]) for line in issued["lines"]} == {  # type: ignore[union-attr]
        (vps, "annual"), (chat, "monthly")}
    # The periods belong to the new invoice: more scheduler runs issue nothing else.
    await run_scheduler(sessionmaker, due - timedelta(days=14))
    renewals = await sql(billing_db, "SELECT status FROM invoices WHERE client_id = $1 AND kind = 'renewal' "
                         "ORDER BY number", client_id)
    assert [r["status"] for r in renewals] == ["cancelled", "unpaid"]


async def test_b11_too_late_is_409_and_a_cycle_the_product_does_not_allow_is_422(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": "hosting-basic", "cycle": "annual"}])
    service_id = uuid.UUID(str(placed["service_ids"][0]))  # type: ignore[index]
    url = f"/services/{service_id}/cycle"
    wrong = await billing.post(url, headers=auth(client_id), json={"cycle": "monthly"})  # C-2: semiannual, annual
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
    await sql(billing_db, "UPDATE subscriptions SET next_due_on = $2 WHERE id = $1", service_id,
              today() + timedelta(days=4))
    late = await billing.post(url, headers=auth(client_id), json={"cycle": "semiannual"})
    assert late.status_code == 409 and late.headers["content-type"] == "application/problem+json"
    assert "the last day was" in late.json()["detail"] and "B-11" not in late.json()["detail"]
    await sql(billing_db, "UPDATE subscriptions SET next_due_on = $2 WHERE id = $1", service_id,
              today() + timedelta(days=5))
    on_time = await billing.post(url, headers=auth(client_id), json={"cycle": "semiannual"})
    assert on_time.status_code == 200, on_time.text
    assert on_time.json()["service"]["cycle"] == "semiannual" and on_time.json()["invoice"] is None
    again = await billing.post(url, headers=auth(client_id), json={"cycle": "semiannual"})
    assert again.status_code == 409

"""B-15 cancellation by the client: immediate or at the end of the paid period (default), only with nothing
unpaid; domains are only set not to renew; the scheduler skips non-renewing and ending services and ends each
once, on its date, with `TerminationDecided` (rule "B-15")."""

import uuid
from datetime import date, timedelta

import httpx
from billing_helpers import auth, new_client, outbox, paid_order, run_scheduler, sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def _due(billing: httpx.AsyncClient, client_id: object, service_id: object) -> date:
    service = (await billing.get(f"/services/{service_id}", headers=auth(client_id))).json()  # type: ignore[arg-type]
    return date.fromisoformat(service["next_due_on"])


async def test_b15_immediate_cancellation_ends_the_service_at_once(billing: httpx.AsyncClient,
                                                                   billing_db: str) -> None:
    client_id = await new_client(billing_db)
    service_id = (await paid_order(billing, client_id, [{"product_code": "web-builder", "cycle": "monthly"}]))[
        "service_ids"][0]  # type: ignore[index]
    cancelled = await billing.post(f"/services/{service_id}/cancel", headers=auth(client_id),
                                   json={"when": "immediate"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    [ended] = await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id))
    assert ended["service_ids"] == [service_id] and ended["rule"] == "B-15"
    again = await billing.post(f"/services/{service_id}/cancel", headers=auth(client_id), json={"when": "immediate"})
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"


async def test_b15_cancelling_requires_no_unpaid_invoices(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    service_id = (await paid_order(billing, client_id, [{"product_code": "web-builder", "cycle": "monthly"}]))[
        "service_ids"][0]  # type: ignore[index]
    unpaid = (await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "chat-rooms", "cycle": "monthly"}]})).json()
    refused = await billing.post(f"/services/{service_id}/cancel", headers=auth(client_id), json={})
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    assert unpaid["number"] in refused.json()["detail"]
    assert await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id)) == []


async def test_b15_end_of_period_stops_renewal_and_ends_the_service_on_its_due_date_once(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": "vps-1", "cycle": "monthly"},
                                                   {"product_code": "chat-rooms", "cycle": "monthly"}])
    vps, chat = placed["service_ids"]  # type: ignore[misc]
    due = await _due(billing, client_id, vps)
    await run_scheduler(sessionmaker, due - timedelta(days=15))
    [merged] = await sql(billing_db, "SELECT * FROM invoices WHERE client_id = $1 AND kind = 'renewal'", client_id)
    # The renewal of the period that has not started is no debt: it is re-issued without the cancelled service.
    cancelled = await billing.post(f"/services/{vps}/cancel", headers=auth(client_id), json={})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["ends_on"]) == ("active", str(due))
    renewals = await sql(billing_db, "SELECT id, status, total_minor FROM invoices WHERE client_id = $1 "
                         "AND kind = 'renewal' ORDER BY number", client_id)
    assert [(r["status"], r["total_minor"]) for r in renewals] == [("cancelled", 2000), ("unpaid", 500)]
    lines = await sql(billing_db, "SELECT service_ids FROM invoice_lines WHERE invoice_id = $1", renewals[1]["id"])
    assert [[str(s) for s in line["service_ids"]] for line in lines] == [[chat]]  # type: ignore[attr-defined]
    assert (await billing.post(f"/services/{vps}/cancel", headers=auth(client_id), json={})).status_code == 409
    for offset in (-14, -1):
        await run_scheduler(sessionmaker, due + timedelta(days=offset))
    assert await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id)) == []
    for offset in (0, 1, 30):  # (the chat-rooms renewal, left unpaid, is terminated by B-6 on day 25)
        await run_scheduler(sessionmaker, due + timedelta(days=offset))
    ended = await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id), rule="B-15")
    assert [(e["service_ids"], e["rule"], str(e["occurred_at"])[:10]) for e in ended] == [([vps], "B-15", str(due))]
    service = (await billing.get(f"/services/{vps}", headers=auth(client_id))).json()
    assert (service["status"], service["ends_on"]) == ("cancelled", str(due))
    # Never renewed: its only invoices are the order's and the cancelled merged renewal.
    billed = await sql(billing_db, "SELECT DISTINCT i.id FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id "
                       "WHERE $1 = ANY(l.service_ids)", uuid.UUID(vps))
    assert {r["id"] for r in billed} == {uuid.UUID(str(placed["invoice_id"])), merged["id"]}


async def test_b15_a_domain_is_not_cancelled_but_set_not_to_renew(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = await new_client(billing_db)
    domain_id = (await paid_order(billing, client_id, [{"product_code": "domain-com", "cycle": "annual",
                                                                 "domain": "b15-dominio.com"}]))[
        "service_ids"][0]  # type: ignore[index]
    refused = await billing.post(f"/services/{domain_id}/cancel", headers=auth(client_id), json={})
    assert refused.status_code == 409 and "renew" in refused.json()["detail"]
    due = await _due(billing, client_id, domain_id)
    off = await billing.patch(f"/services/{domain_id}", headers=auth(client_id), json={"renew": False})
    assert off.status_code == 200 and off.json()["renew"] is False
    await run_scheduler(sessionmaker, due - timedelta(days=15))
    renewals = "SELECT status FROM invoices WHERE client_id = $1 AND kind = 'renewal' ORDER BY number"
    assert await sql(billing_db, renewals, client_id) == []  # the scheduler skips a service that does not renew
    # Switched back on, it renews; switched off again, the renewal not yet due is cancelled.
    assert (await billing.patch(f"/services/{domain_id}", headers=auth(client_id),
                                json={"renew": True})).json()["renew"] is True
    await run_scheduler(sessionmaker, due - timedelta(days=14))
    assert await sql(billing_db, renewals, client_id) == [{"status": "unpaid"}]
    await billing.patch(f"/services/{domain_id}", headers=auth(client_id), json={"renew": False})
    assert await sql(billing_db, renewals, client_id) == [{"status": "cancelled"}]
    for offset in (-13, 0, 1):
        await run_scheduler(sessionmaker, due + timedelta(days=offset))
    assert await sql(billing_db, renewals, client_id) == [{"status": "cancelled"}]
    ended = await outbox(billing_db, "billing.service.termination_decided", client_id=str(client_id))
    assert [(e["service_ids"], e["rule"]) for e in ended] == [([domain_id], "B-15")]
    assert (await billing.get(f"/services/{domain_id}", headers=auth(client_id))).json()["status"] == "cancelled"

"""P-6 seen from billing: once provisioning reports a transfer, the service is the new owner's to be invoiced for."""

import uuid

import httpx
from billing_helpers import auth, new_client, sql, staff

from abono.events import ServiceTransferred
from abono.testing import publish_events, wait_for


async def test_p6_a_transferred_service_is_invoiced_to_its_new_owner_in_its_currency(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    owner, recipient = await new_client(billing_db, currency="USD"), await new_client(billing_db, currency="ARS")
    placed = (await billing.post("/orders", headers=auth(owner),
                                 json={"items": [{"product_code": "vps-1", "cycle": "monthly"}]})).json()
    invoice = (await billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(owner))).json()
    paid = await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer", headers=staff(), json={
        "amount_minor": invoice["total_due"]["amount_minor"], "transfer_reference": uuid.uuid4().hex})
    assert paid.json()["invoice_status"] == "paid", paid.text
    service_id = uuid.UUID((await billing.get("/services", headers=auth(owner))).json()[0]["id"])

    transferred = ServiceTransferred(service_id=service_id, from_client_id=owner, to_client_id=recipient,
                                     transfer_id=uuid.uuid4())
    await publish_events(transferred, transferred, until_routed=True)  # delivered twice: applied once

    async def recipient_owns_it() -> bool:
        services = (await billing.get("/services", headers=auth(recipient))).json()
        return [s["id"] for s in services] == [str(service_id)]

    await wait_for(recipient_owns_it, what="billing to apply the transfer")
    assert (await billing.get("/services", headers=auth(owner))).json() == []
    assert (await billing.get(f"/services/{service_id}", headers=auth(owner))).status_code == 404
    row = (await sql(billing_db, "SELECT client_id, currency FROM subscriptions WHERE id = $1", service_id))[0]
    assert (row["client_id"], row["currency"]) == (recipient, "ARS")  # B-20: the new owner's currency

    async def applied_once() -> bool:
        rows = await sql(billing_db, "SELECT count(*) AS n FROM inbox WHERE event_id = $1", transferred.event_id)
        return bool(rows[0]["n"] == 1)

    await wait_for(applied_once, what="the inbox row")
    audits = await sql(billing_db, "SELECT details FROM audit_log WHERE action = 'service_transferred' "
                                   "AND target_id = $1", service_id)
    assert len(audits) == 1

"""Payment application (B-7..B-10, B-19), staff confirm/waive/refund (B-15, B-18), credit balance."""

import uuid

import httpx
from billing_helpers import auth, new_client, outbox, sql, staff


async def order(billing: httpx.AsyncClient, client_id: uuid.UUID, code: str = "vps-1", cycle: str = "monthly",
                quantity: int = 1) -> dict[str, object]:
    placed = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": code, "cycle": cycle, "quantity": quantity}]})
    assert placed.status_code == 201, placed.text
    body: dict[str, object] = placed.json()
    return body


async def confirm(billing: httpx.AsyncClient, invoice_id: object, amount: int, ref: str) -> httpx.Response:
    return await billing.post(f"/staff/invoices/{invoice_id}/confirm-transfer", headers=staff(),
                              json={"amount_minor": amount, "transfer_reference": ref})


async def test_b19_b9_payment_is_applied_exactly_once_and_activates_the_services(billing: httpx.AsyncClient,
                                                                                billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await order(billing, client_id, quantity=2)
    ref = f"PREX-{uuid.uuid4().hex[:8]}"
    first = await confirm(billing, placed["invoice_id"], 3000, ref)
    assert first.status_code == 200, first.text
    assert first.json()["invoice_status"] == "paid" and first.json()["duplicate"] is False
    again = await confirm(billing, placed["invoice_id"], 3000, ref)
    assert again.json()["duplicate"] is True
    paid = await outbox(billing_db, "billing.invoice.paid", invoice_id=str(placed["invoice_id"]))
    assert len(paid) == 1
    assert sorted(paid[0]["activate_service_ids"]) == sorted(placed["service_ids"])  # type: ignore[arg-type]
    assert paid[0]["client_has_overdue"] is False and paid[0]["method"] == "transfer"
    services = (await billing.get("/services", headers=auth(client_id))).json()
    assert {s["status"] for s in services} == {"active"}
    invoice = (await billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(client_id))).json()
    assert all(s["next_due_on"] > invoice["due_on"] for s in services)  # the paid period moved the due date
    audit = await sql(billing_db, "SELECT action FROM audit_log WHERE target_id = $1",
                      uuid.UUID(str(placed["invoice_id"])))
    assert [a["action"] for a in audit] == ["confirm_transfer"]
    # A client may not confirm payments.
    assert (await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer", headers=auth(client_id),
                               json={"amount_minor": 1, "transfer_reference": "xyz"})).status_code == 403


async def test_b10_excess_becomes_credit_that_pays_the_next_invoice(billing: httpx.AsyncClient,
                                                                   billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await order(billing, client_id)
    paid = await confirm(billing, placed["invoice_id"], 5000, f"T-{uuid.uuid4().hex}")
    assert paid.json()["credited"] == {"amount_minor": 3500, "currency": "USD"}
    assert (await billing.get("/credit", headers=auth(client_id))).json() == {
        "balances": [{"amount_minor": 3500, "currency": "USD"}], "sla_credits": []}
    # The next order is paid by the credit at once: no money asked, InvoicePaid with method "credit".
    second = await order(billing, client_id)
    assert second["status"] == "paid" and second["total_due"] == {"amount_minor": 0, "currency": "USD"}
    assert (await outbox(billing_db, "billing.invoice.paid", invoice_id=str(second["invoice_id"])))[0]["method"] == (
        "credit")
    third = await order(billing, client_id)  # 2000 of credit left covers 1500
    assert third["status"] == "paid"
    fourth = await order(billing, client_id)  # 3 active services: 10% off (B-12), 1350; the last 500 of credit
    assert fourth["status"] == "unpaid" and fourth["total_due"]["amount_minor"] == 850  # type: ignore[index]
    assert (await billing.get("/credit", headers=auth(client_id))).json()["balances"][0]["amount_minor"] == 0


async def test_b10_an_underpayment_waits_as_credit_until_the_rest_arrives(billing: httpx.AsyncClient,
                                                                         billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await order(billing, client_id)
    short = await confirm(billing, placed["invoice_id"], 1000, f"T-{uuid.uuid4().hex}")
    assert short.json()["invoice_status"] == "unpaid"
    rest = await confirm(billing, placed["invoice_id"], 500, f"T-{uuid.uuid4().hex}")
    assert rest.json()["invoice_status"] == "paid"
    assert (await billing.get("/credit", headers=auth(client_id))).json()["balances"][0]["amount_minor"] == 0


async def test_b7_b8_paying_reactivates_suspended_services_and_stretches_their_cycle(billing: httpx.AsyncClient,
                                                                                    billing_db: str) -> None:
    client_id = await new_client(billing_db)
    first = await order(billing, client_id)
    await confirm(billing, first["invoice_id"], 1500, f"T-{uuid.uuid4().hex}")
    service_id = uuid.UUID(str(first["service_ids"][0]))  # type: ignore[index]
    await sql(billing_db, "UPDATE subscriptions SET status = 'suspended' WHERE id = $1", service_id)
    second = await order(billing, client_id, code="web-builder")
    assert second["total_due"]["amount_minor"] == 600  # type: ignore[index]  # B-13: no discount while suspended
    await confirm(billing, second["invoice_id"], 600, f"T-{uuid.uuid4().hex}")
    paid = (await outbox(billing_db, "billing.invoice.paid", invoice_id=str(second["invoice_id"])))[0]
    assert paid["reactivate_service_ids"] == [str(service_id)]
    service = (await billing.get(f"/services/{service_id}", headers=auth(client_id))).json()
    assert (service["status"], service["cycle"]) == ("active", "quarterly")  # B-8: monthly → quarterly


async def test_b18_staff_waive_an_invoice_which_counts_as_settled_and_is_audited(billing: httpx.AsyncClient,
                                                                                billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await order(billing, client_id, code="pay-with-time")
    assert placed["total_due"] == {"amount_minor": 50, "currency": "USD"}
    waived = await billing.post(f"/staff/invoices/{placed['invoice_id']}/waive", headers=staff(),
                                json={"reason": "tareas del mes verificadas"})
    assert waived.status_code == 200 and waived.json()["status"] == "waived"
    assert (await billing.post(f"/staff/invoices/{placed['invoice_id']}/waive", headers=staff(),
                               json={"reason": "otra vez"})).status_code == 409
    services = (await billing.get("/services", headers=auth(client_id))).json()
    assert services[0]["status"] == "active"
    audit = await sql(billing_db, "SELECT action, details FROM audit_log WHERE target_id = $1",
                      uuid.UUID(str(placed["invoice_id"])))
    assert audit[0]["action"] == "waive" and "verificadas" in str(audit[0]["details"])


async def test_b15_refund_within_the_window_but_never_for_streaming(billing: httpx.AsyncClient,
                                                                   billing_db: str) -> None:
    client_id = await new_client(billing_db)
    hosting = await order(billing, client_id, code="hosting-basic", cycle="annual")
    await confirm(billing, hosting["invoice_id"], 4800, f"T-{uuid.uuid4().hex}")
    refunded = await billing.post(f"/staff/invoices/{hosting['invoice_id']}/refund", headers=staff(),
                                  json={"reason": "no quedó conforme"})
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    ended = await outbox(billing_db, "billing.service.termination_decided", invoice_id=str(hosting["invoice_id"]))
    assert ended[0]["service_ids"] == hosting["service_ids"] and ended[0]["rule"] == "B-15"
    # F-2: the affiliate service reverses the commission of what was refunded.
    [told] = await outbox(billing_db, "billing.invoice.refunded", invoice_id=str(hosting["invoice_id"]))
    assert told["amount"] == {"amount_minor": 4800, "currency": "USD"} and told["reason"] == "no quedó conforme"
    radio = await order(billing, client_id, code="radio-basic")
    await confirm(billing, radio["invoice_id"], 900, f"T-{uuid.uuid4().hex}")
    assert (await billing.post(f"/staff/invoices/{radio['invoice_id']}/refund", headers=staff(),
                               json={"reason": "no me gustó"})).status_code == 409


async def test_staff_search_invoices(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await order(billing, client_id)
    found = (await billing.get("/staff/invoices", headers=staff(), params={"client_id": str(client_id)})).json()
    assert [i["id"] for i in found] == [placed["invoice_id"]]
    by_number = (await billing.get("/staff/invoices", headers=staff(), params={"number": placed["number"]})).json()
    assert by_number[0]["client_id"] == str(client_id)
    assert (await billing.get("/staff/invoices", headers=auth(client_id))).status_code == 403

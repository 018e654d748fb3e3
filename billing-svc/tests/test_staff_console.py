"""Issue 14 at billing: staff find an invoice by its payment reference (B-19), a transfer report's reference or its
amount; filter and export the list as CSV; see a client's whole billing record; credit or debit with a reason,
audited (B-10); place an order for the client; the transfers waiting; the monthly figures."""

import csv
import io
import uuid

import httpx
from billing_helpers import auth, new_client, outbox, staff


async def _order(billing: httpx.AsyncClient, client_id: uuid.UUID) -> dict[str, object]:
    placed = await billing.post(
        "/orders", headers=auth(client_id), json={"items": [{"product_code": "hosting-basic", "cycle": "annual"}]}
    )
    assert placed.status_code == 201, placed.text
    body: dict[str, object] = placed.json()
    return body


async def test_b19_staff_find_an_invoice_by_payment_reference_transfer_reference_or_amount(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = await new_client(billing_db)
    placed = await _order(billing, client_id)
    reference = str(placed["payment_reference"])
    operation = f"OP-{uuid.uuid4().hex[:10]}"
    reported = await billing.post(
        f"/invoices/{placed['invoice_id']}/transfer-report",
        headers=auth(client_id),
        json={
            "reference": operation,
            "amount_minor": placed["total_due"]["amount_minor"],  # type: ignore[index]
            "paid_on": "2026-12-01",
            "proof": "Banco Nación",
        },
    )
    assert reported.status_code == 201, reported.text
    for q in (reference, reference.lower()[2:], operation.lower(), str(placed["number"])):
        found = await billing.get("/staff/invoices", params={"q": q}, headers=staff())
        assert found.status_code == 200, found.text
        assert placed["invoice_id"] in [i["id"] for i in found.json()], q
    for whole in (reference, str(placed["number"]).lower()):  # typed whole: that invoice alone
        found = await billing.get("/staff/invoices", params={"q": whole}, headers=staff())
        assert [i["id"] for i in found.json()] == [placed["invoice_id"]], whole
    mine = {"client_id": str(client_id)}
    short = await billing.get("/staff/invoices", params={"q": reference[:2], **mine}, headers=staff())
    assert short.status_code == 200 and short.json() == []  # two characters: only an amount, never a substring
    total = placed["total_due"]["amount_minor"]  # type: ignore[index]
    by_amount = await billing.get(
        "/staff/invoices", params={"q": f"{total / 100:.2f}", "client_id": str(client_id)}, headers=staff()
    )
    assert [i["id"] for i in by_amount.json()] == [placed["invoice_id"]]
    waiting = (await billing.get("/staff/transfers/waiting", headers=staff())).json()
    mine = [w for w in waiting if w["invoice"]["id"] == placed["invoice_id"]]
    assert [w["report"]["reference"] for w in mine] == [operation]


async def test_staff_filter_invoices_and_export_them_as_csv(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await _order(billing, client_id)
    params = {"status": "unpaid", "currency": "USD", "client_id": str(client_id)}
    listed = (await billing.get("/staff/invoices", params=params, headers=staff())).json()
    assert [i["id"] for i in listed] == [placed["invoice_id"]]
    assert (await billing.get("/staff/invoices", params={**params, "status": "paid"}, headers=staff())).json() == []
    exported = await billing.get("/staff/invoices-export", params={"q": str(placed["number"])}, headers=staff())
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["number"], r["status"], r["payment_reference"]) for r in rows] == [
        (placed["number"], "unpaid", placed["payment_reference"])
    ]
    # The export takes the list's filters (one set of query parameters for both), the client's too.
    mine_only = await billing.get("/staff/invoices-export", params=params, headers=staff())
    assert [r["number"] for r in csv.DictReader(io.StringIO(mine_only.text))] == [placed["number"]]
    other = await billing.get(
        "/staff/invoices-export", params={**params, "client_id": str(uuid.uuid4())}, headers=staff()
    )
    assert list(csv.DictReader(io.StringIO(other.text))) == []
    refused = await billing.get("/staff/invoices-export", params={"currency": "usd"}, headers=staff())
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")


async def test_b10_staff_credit_and_debit_with_a_reason_audited_and_never_below_zero(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = await new_client(billing_db)
    path = f"/staff/clients/{client_id}/credit"
    credited = await billing.post(
        path, headers=staff(), json={"amount_minor": 1500, "currency": "USD", "reason": "Compensación por corte"}
    )
    assert credited.status_code == 200, credited.text
    assert credited.json() == [{"amount_minor": 1500, "currency": "USD"}]
    too_much = await billing.post(
        path, headers=staff(), json={"amount_minor": -2000, "currency": "USD", "reason": "Error de carga"}
    )
    assert too_much.status_code == 409
    debited = await billing.post(
        path, headers=staff(), json={"amount_minor": -500, "currency": "USD", "reason": "Error de carga"}
    )
    assert debited.json() == [{"amount_minor": 1000, "currency": "USD"}]
    record = (await billing.get(f"/staff/clients/{client_id}", headers=staff())).json()
    assert [m["amount"]["amount_minor"] for m in record["credit_movements"]] == [-500, 1500]
    assert [(a["action"], a["details"]["reason"]) for a in record["audit"]] == [
        ("debit", "Error de carga"),
        ("credit", "Compensación por corte"),
    ]
    assert (
        await billing.post(
            path, headers=auth(client_id), json={"amount_minor": 100, "currency": "USD", "reason": "yo mismo"}
        )
    ).status_code == 403


async def test_staff_place_an_order_for_the_client_and_see_it_on_its_record(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = await new_client(billing_db)
    placed = await billing.post(
        f"/staff/clients/{client_id}/orders",
        headers=staff(),
        json={"items": [{"product_code": "hosting-basic", "cycle": "annual"}]},
    )
    assert placed.status_code == 201, placed.text
    record = (await billing.get(f"/staff/clients/{client_id}", headers=staff())).json()
    assert [i["id"] for i in record["invoices"]] == [placed.json()["invoice_id"]]
    assert [s["status"] for s in record["services"]] == ["pending"]
    assert [a["action"] for a in record["audit"]] == ["order_for_client"]


async def test_staff_home_figures_count_work_and_give_twelve_months_per_currency(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = await new_client(billing_db)
    await _order(billing, client_id)
    work = await billing.get("/staff/work", headers=staff())
    assert work.status_code == 200 and set(work.json()) == {
        "transfers_to_confirm",
        "invoices_due_this_week",
        "overdue_invoices",
    }
    figures = (await billing.get("/staff/figures/monthly", headers=staff())).json()
    usd = [f for f in figures if f["currency"] == "USD"]
    assert len(usd) == 12 and usd[-1]["invoiced"]["amount_minor"] > 0
    assert [f["month"] for f in usd] == sorted(f["month"] for f in usd)


async def test_staff_resend_an_unpaid_invoice_the_same_envelope_again_audited(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = await new_client(billing_db)
    placed = await _order(billing, client_id)
    resent = await billing.post(f"/staff/invoices/{placed['invoice_id']}/resend", headers=staff())
    assert resent.status_code == 200, resent.text
    issued = await outbox(billing_db, "billing.invoice.issued", invoice_id=str(placed["invoice_id"]))
    assert len(issued) == 2 and issued[0]["event_id"] != issued[1]["event_id"]
    assert {k: v for k, v in issued[0].items() if k != "event_id"} == {
        k: v for k, v in issued[1].items() if k != "event_id"
    }
    record = (await billing.get(f"/staff/clients/{client_id}", headers=staff())).json()
    assert [a["action"] for a in record["audit"]] == ["resend_invoice"]
    assert (
        await billing.post(f"/staff/invoices/{placed['invoice_id']}/resend", headers=auth(client_id))
    ).status_code == 403

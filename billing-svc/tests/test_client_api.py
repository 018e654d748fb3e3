"""The client API: my services, invoices (PDF too) and credit; a client sees only its own data."""

import uuid
from datetime import date

import httpx
from billing_helpers import auth, new_client, staff


async def test_a_client_sees_only_its_own_services_invoices_and_credit(billing: httpx.AsyncClient,
                                                                      billing_db: str) -> None:
    ana, eve = await new_client(billing_db), await new_client(billing_db)
    placed = (await billing.post("/orders", headers=auth(ana), json={"items": [
        {"product_code": "hosting-plus", "cycle": "annual", "quantity": 5}], "payment_method": "zelle"})).json()
    await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer", headers=staff(),
                       json={"amount_minor": 100_000, "transfer_reference": uuid.uuid4().hex})
    invoice_id, service_id = placed["invoice_id"], placed["service_ids"][0]
    # Ana's own view.
    assert (await billing.get(f"/invoices/{invoice_id}", headers=auth(ana))).status_code == 200
    services = (await billing.get("/services", headers=auth(ana))).json()
    assert len(services) == 5 and services[0]["price"] == {"amount_minor": 9600, "currency": "USD"}
    assert date.fromisoformat(services[0]["next_due_on"]) > date.fromisoformat(services[0]["next_due_on"][:8] + "01")
    assert (await billing.get("/credit", headers=auth(ana))).json()["balances"][0]["amount_minor"] > 0
    # Every endpoint that takes an id answers Eve "not found" for Ana's ids.
    for path in (f"/invoices/{invoice_id}", f"/invoices/{invoice_id}/pdf", f"/services/{service_id}"):
        response = await billing.get(path, headers=auth(eve))
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    # ... and so does every change to a service (B-11, B-14, B-15), which leaves Ana's service as it was.
    for method, path, body in (("POST", "cycle", {"cycle": "semiannual"}), ("POST", "upgrade", {
            "product_code": "hosting-pro"}), ("POST", "upgrade/preview", {"product_code": "hosting-pro"}),
            ("POST", "cancel", {"when": "immediate"}), ("PATCH", "", {"renew": False})):
        url = f"/services/{service_id}/{path}".rstrip("/")
        response = await billing.request(method, url, headers=auth(eve), json=body)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
    mine = (await billing.get(f"/services/{service_id}", headers=auth(ana))).json()
    assert (mine["status"], mine["cycle"], mine["product_code"], mine["renew"]) == (
        "active", "annual", "hosting-plus", True)
    restore = await billing.post("/orders/preview", headers=auth(eve), json={"items": [
        {"product_code": "hosting-plus", "cycle": "annual", "restore_service_id": service_id}]})
    assert restore.status_code == 404
    # And her lists are empty.
    assert (await billing.get("/invoices", headers=auth(eve))).json() == []
    assert (await billing.get("/services", headers=auth(eve))).json() == []
    assert (await billing.get("/credit", headers=auth(eve))).json() == {"balances": [], "sla_credits": []}
    # Without a token: 401.
    for path in ("/invoices", "/services", "/credit", f"/invoices/{invoice_id}/pdf"):
        assert (await billing.get(path)).status_code == 401, path


async def test_invoice_pdf_is_a_real_pdf_with_each_discount(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = (await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "radio-basic", "cycle": "biennial", "quantity": 10}], "payment_method": "zelle"})).json()
    pdf = await billing.get(f"/invoices/{placed['invoice_id']}/pdf", headers=auth(client_id))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    body = pdf.content
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    assert placed["number"].encode() in body and placed["payment_reference"].encode() in body
    for label in (b"sin cargo", b"Pago biennial", b"Pago con zelle"):
        assert label in body
    startxref = int(body.rsplit(b"startxref", 1)[1].split()[0])
    assert body[startxref:].startswith(b"xref")

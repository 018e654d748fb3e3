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


async def test_b10_credit_movements_are_mine_newest_first_a_page_at_a_time(billing: httpx.AsyncClient,
                                                                          billing_db: str) -> None:
    ana, eve = await new_client(billing_db), await new_client(billing_db)
    # An overpaid order (B-10: the excess becomes credit), a staff credit, then an order the credit pays.
    placed = (await billing.post("/orders", headers=auth(ana), json={"items": [
        {"product_code": "hosting-plus", "cycle": "annual", "quantity": 1}], "payment_method": "zelle"})).json()
    paid = await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer", headers=staff(),
                              json={"amount_minor": 100_000, "transfer_reference": uuid.uuid4().hex})
    assert paid.status_code == 200, paid.text
    excess = paid.json()["credited"]["amount_minor"]
    adjusted = await billing.post(f"/staff/clients/{ana}/credit", headers=staff(),
                                  json={"amount_minor": 500, "currency": "USD", "reason": "gesto comercial"})
    assert adjusted.status_code == 200, adjusted.text
    second = (await billing.post("/orders", headers=auth(ana), json={"items": [
        {"product_code": "hosting-plus", "cycle": "annual", "quantity": 1}]})).json()
    invoice = (await billing.get(f"/invoices/{second['invoice_id']}", headers=auth(ana))).json()
    used = invoice["credit_applied"]["amount_minor"]
    assert used > 0

    page = await billing.get("/credit/movements", headers=auth(ana))
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["next_before"] is None
    assert [(m["kind"], m["amount"]["amount_minor"], m["invoice_number"]) for m in body["items"]] == [
        ("applied", -used, second["number"]), ("adjustment", 500, None), ("overpayment", excess, placed["number"])]
    assert "reason" not in body["items"][0]  # staff's own words stay in the console
    # The same three, one page at a time.
    seen, before = [], None
    while True:
        params = {"limit": 1} | ({"before": before} if before else {})
        chunk = (await billing.get("/credit/movements", headers=auth(ana), params=params)).json()
        seen += chunk["items"]
        before = chunk["next_before"]
        if before is None:
            break
    assert seen == body["items"]
    # Another client sees none of it; bad paging is a 422 problem; no token, 401.
    assert (await billing.get("/credit/movements", headers=auth(eve))).json() == {"items": [], "next_before": None}
    for params in ({"limit": 0}, {"limit": 101}, {"before": 0}, {"before": "x"}):
        bad = await billing.get("/credit/movements", headers=auth(ana), params=params)
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json", params
    assert (await billing.get("/credit/movements")).status_code == 401

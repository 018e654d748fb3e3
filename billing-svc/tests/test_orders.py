"""Orders: price preview with every discount line (B-12), one invoice with a unique payment reference (B-19),
pending services and `ServiceOrdered`, coupons, the restoration fee (B-6)."""

import uuid

import httpx
from billing_helpers import admin, auth, new_client, outbox, paid_order, sql, staff


async def test_b12_preview_shows_the_seed_examples_line_by_line(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    annual_zelle = await billing.post("/orders/preview", headers=auth(client_id), json={
        "items": [{"product_code": "hosting-basic", "cycle": "annual"}], "payment_method": "zelle"})
    assert annual_zelle.status_code == 200, annual_zelle.text
    line = annual_zelle.json()["lines"][0]
    assert [(d["rule"], d["percent"], d["amount"]["amount_minor"]) for d in line["discounts"]] == [
        ("cycle", "20", 1200), ("payment_method", "10", 600)]
    assert line["amount"] == {"amount_minor": 4200, "currency": "USD"}  # 6000 - 30%
    ten = await billing.post("/orders/preview", headers=auth(client_id), json={
        "items": [{"product_code": "radio-basic", "cycle": "biennial", "quantity": 10}],
        "payment_method": "pago_facil"})
    line = ten.json()["lines"][0]
    assert [d["rule"] for d in line["discounts"]] == ["bundle", "cycle"]
    assert line["discounts"][0]["amount"]["amount_minor"] == 2 * 21_600  # pay 8 of 10
    assert line["amount"]["amount_minor"] == 8 * 21_600 * 67 // 100  # and 33% off
    assert (await sql(billing_db, "SELECT count(*) AS n FROM invoices WHERE client_id = $1", client_id))[0]["n"] == 0


async def test_b19_order_makes_one_invoice_pending_services_and_service_ordered(billing: httpx.AsyncClient,
                                                                               billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "hosting-basic", "cycle": "semiannual", "domain": "ana.com.ar"},
        {"product_code": "domain-com", "cycle": "annual", "domain": "ana.com"}]})
    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert len(body["service_ids"]) == 2 and body["status"] == "unpaid"
    assert body["total_due"] == {"amount_minor": (3000 - 180) + (1500 - 300), "currency": "USD"}
    other = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "web-builder", "cycle": "monthly"}]})
    assert other.json()["payment_reference"] != body["payment_reference"]
    assert other.json()["number"] != body["number"]
    issued = await outbox(billing_db, "billing.invoice.issued", invoice_id=body["invoice_id"])
    assert len(issued) == 1 and issued[0]["payment_reference"] == body["payment_reference"]
    ordered = await outbox(billing_db, "billing.service.ordered", invoice_id=body["invoice_id"])
    assert sorted(e["service_id"] for e in ordered) == sorted(body["service_ids"])
    hosting = next(e for e in ordered if e["product_code"] == "hosting-basic")
    assert (hosting["driver"], hosting["activation"], hosting["domain"]) == ("cpanel", "automatic", "ana.com.ar")
    services = (await billing.get("/services", headers=auth(client_id))).json()
    assert {s["status"] for s in services} == {"pending"}
    detail = (await billing.get(f"/invoices/{body['invoice_id']}", headers=auth(client_id))).json()
    assert [d["rule"] for d in detail["lines"][0]["discounts"]] == ["cycle"]


async def test_c2_refuses_a_cycle_the_product_does_not_allow(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    refused = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "hosting-basic", "cycle": "monthly"}]})
    assert refused.status_code == 422
    assert (await billing.post("/orders", headers=auth(uuid.uuid4()), json={"items": [
        {"product_code": "hosting-basic", "cycle": "annual"}]})).status_code == 409  # billing does not know it yet


async def test_b12_coupon_for_new_clients_with_a_use_limit(billing: httpx.AsyncClient, billing_db: str) -> None:
    code = f"NEW{uuid.uuid4().hex[:6].upper()}"
    created = await billing.post("/staff/coupons", headers=admin(), json={
        "code": code, "percent": "15", "audience": "new", "max_uses": 1})
    assert created.status_code == 201, created.text
    first = await new_client(billing_db)
    order = {"items": [{"product_code": "vps-1", "cycle": "monthly"}], "coupon": code}
    preview = await billing.post("/orders/preview", headers=auth(first), json=order)
    assert preview.json()["lines"][0]["discounts"][0]["rule"] == "coupon"
    assert (await billing.post("/orders", headers=auth(first), json=order)).json()["total_due"]["amount_minor"] == 1275
    # The first client is no longer new, and the single use is spent anyway.
    assert (await billing.post("/orders", headers=auth(first), json=order)).status_code == 422
    second = await new_client(billing_db)
    used_up = await billing.post("/orders", headers=auth(second), json=order)
    assert used_up.status_code == 422 and "used up" in used_up.json()["detail"]
    coupons = {c["code"]: c for c in (await billing.get("/staff/coupons", headers=staff())).json()}
    assert coupons[code]["uses"] == 1


async def test_b6_restoring_a_terminated_service_charges_the_restoration_fee(billing: httpx.AsyncClient,
                                                                            billing_db: str) -> None:
    client_id = await new_client(billing_db)
    placed = (await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "radio-basic", "cycle": "monthly"}]})).json()
    old_id = placed["service_ids"][0]
    await sql(billing_db, "UPDATE subscriptions SET status = 'terminated' WHERE id = $1", uuid.UUID(old_id))
    again = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "radio-basic", "cycle": "monthly", "restore_service_id": old_id}]})
    assert again.status_code == 201, again.text
    lines = (await billing.get(f"/invoices/{again.json()['invoice_id']}", headers=auth(client_id))).json()["lines"]
    assert [(line["kind"], line["amount"]["amount_minor"]) for line in lines] == [
        ("service", 900), ("restoration_fee", 10_000)]
    # Another client cannot restore (or even see) this service.
    stranger = await new_client(billing_db)
    assert (await billing.post("/orders", headers=auth(stranger), json={"items": [
        {"product_code": "radio-basic", "cycle": "monthly", "restore_service_id": old_id}]})).status_code == 404


async def test_d1_a_domain_line_names_one_domain_of_its_tld(billing: httpx.AsyncClient, billing_db: str) -> None:
    client_id = await new_client(billing_db)
    for item, why in [
        ({"product_code": "domain-com", "cycle": "annual"}, "say which domain"),
        ({"product_code": "domain-com", "cycle": "annual", "domain": "  "}, "say which domain"),
        ({"product_code": "domain-com", "cycle": "annual", "domain": "ana.com", "quantity": 2}, "one at a time"),
        ({"product_code": "domain-com", "cycle": "annual", "domain": "ana.net"}, "not a .com name"),
        ({"product_code": "domain-com", "cycle": "annual", "domain": "www.ana.com"}, "not a .com name"),
    ]:
        for path in ("/orders/preview", "/orders"):
            refused = await billing.post(path, headers=auth(client_id), json={"items": [item]})
            assert refused.status_code == 422 and why in refused.json()["detail"], (item, refused.text)
    assert (await sql(billing_db, "SELECT count(*) AS n FROM invoices WHERE client_id = $1", client_id))[0]["n"] == 0
    placed = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "domain-com", "cycle": "annual", "domain": "Ana-D1.com"}]})
    assert placed.status_code == 201, placed.text
    assert len(placed.json()["service_ids"]) == 1


async def test_b13_a_withheld_coupon_says_why_on_the_preview_and_the_invoice_line(billing: httpx.AsyncClient,
                                                                                 billing_db: str) -> None:
    """#12 item 10: a suspended client's valid coupon gets no discount (B-13), and the preview and the invoice line
    say so, with the rule and words a client understands."""
    code = f"SUSP{uuid.uuid4().hex[:6].upper()}"
    assert (await billing.post("/staff/coupons", headers=admin(), json={
        "code": code, "percent": "15", "audience": "existing"})).status_code == 201
    client_id = await new_client(billing_db)
    await paid_order(billing, client_id, [{"product_code": "vps-1", "cycle": "monthly"}])
    await sql(billing_db, "UPDATE subscriptions SET status = 'suspended' WHERE client_id = $1", client_id)
    order = {"items": [{"product_code": "vps-2", "cycle": "annual"}], "coupon": code}
    preview = await billing.post("/orders/preview", headers=auth(client_id), json=order)
    assert preview.status_code == 200, preview.text
    line = preview.json()["lines"][0]
    assert line["discounts"] == [] and line["amount"] == line["gross"]
    withheld = {w["rule"]: w for w in line["withheld"]}
    assert set(withheld) == {"cycle", "coupon"}
    assert withheld["coupon"]["label"] == f"Cupón {code}" and withheld["coupon"]["because"] == "B-13"
    assert "suspendido" in withheld["coupon"]["reason"]
    placed = await billing.post("/orders", headers=auth(client_id), json=order)
    assert placed.status_code == 201, placed.text
    invoice_id = placed.json()["invoice_id"]
    detail = (await billing.get(f"/invoices/{invoice_id}", headers=auth(client_id))).json()
    assert detail["lines"][0]["withheld"] == line["withheld"]
    assert detail["discount"]["amount_minor"] == 0

"""D-1: the TLD price list (register, renew, transfer per cycle in years and currency) in the catalog; a domain
order is priced at the register or transfer price, and the renewal (the catalog price of the cycle) at renew."""

import uuid

import httpx
from billing_helpers import admin, auth, new_client, outbox, staff


async def test_d1_admins_set_a_tlds_register_renew_and_transfer_prices_and_clients_see_them(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    code = f"domain-t{uuid.uuid4().hex[:6]}"  # a TLD of its own: other tests price the seed's domain-com
    created = await billing.post("/staff/catalog/products", headers=admin(), json={
        "code": code, "name": "Dominio .test", "kind": "domain", "cycles": ["annual", "biennial"],
        "activation": "automatic", "driver": "registrar", "driver_settings": {"tld": ".test"},
        "prices": [{"cycle": "annual", "currency": "USD", "amount_minor": 1400},
                   {"cycle": "biennial", "currency": "USD", "amount_minor": 2800}]})
    assert created.status_code == 201, created.text
    url = f"/staff/catalog/domains/{code}/prices/annual/USD"
    body = {"register_minor": 999, "renew_minor": 1500, "transfer_minor": 1200}
    assert (await billing.put(url, json=body, headers=auth())).status_code == 403
    assert (await billing.put(url, json=body, headers=staff())).status_code == 403  # staff read, admins change
    assert (await billing.put(url, json={**body, "renew_minor": -1}, headers=admin())).status_code == 422
    assert (await billing.put(url, json={**body, "register_minor": 9.5}, headers=admin())).status_code == 422
    monthly = f"/staff/catalog/domains/{code}/prices/monthly/USD"
    assert (await billing.put(monthly, json=body, headers=admin())).status_code == 422  # whole years only
    hosting = "/staff/catalog/domains/hosting-basic/prices/annual/USD"
    assert (await billing.put(hosting, json=body, headers=admin())).status_code == 404  # not a domain
    assert (await billing.put(url, json=body, headers=admin())).status_code == 204

    listed = await billing.get("/catalog/domains", headers=auth())
    assert listed.status_code == 200
    assert next(t for t in listed.json() if t["product_code"] == "domain-com")["tld"] == "com"
    com = next(t for t in listed.json() if t["product_code"] == code)
    assert com["tld"] == "test"
    annual = next(p for p in com["prices"] if (p["cycle"], p["currency"]) == ("annual", "USD"))
    assert (annual["years"], annual["register_minor"], annual["renew_minor"], annual["transfer_minor"]) == (
        1, 999, 1500, 1200)
    biennial = next(p for p in com["prices"] if (p["cycle"], p["currency"]) == ("biennial", "USD"))
    assert biennial["years"] == 2 and biennial["register_minor"] == biennial["renew_minor"]  # none listed: renew
    product = (await billing.get(f"/catalog/products/{code}", headers=auth())).json()
    assert {(p["cycle"], p["currency"]): p["amount_minor"] for p in product["prices"]}[("annual", "USD")] == 1500
    assert (await billing.get("/catalog/domains")).status_code == 401

    client_id = await new_client(billing_db)
    register = await billing.post("/orders/preview", headers=auth(client_id), json={
        "items": [{"product_code": code, "cycle": "annual", "domain": "nuevo-d1.test"}]})
    assert register.status_code == 200, register.text
    assert register.json()["lines"][0]["unit_price"]["amount_minor"] == 999
    placed = await billing.post("/orders", headers=auth(client_id), json={
        "items": [{"product_code": code, "cycle": "annual", "domain": "traigo-d1.test", "transfer": True}]})
    assert placed.status_code == 201, placed.text
    ordered = await outbox(billing_db, "billing.service.ordered", invoice_id=placed.json()["invoice_id"])
    assert ordered[0]["driver_settings"]["operation"] == "transfer" and ordered[0]["domain"] == "traigo-d1.test"
    lines = (await billing.get(f"/invoices/{placed.json()['invoice_id']}", headers=auth(client_id))).json()["lines"]
    assert lines[0]["unit_price"]["amount_minor"] == 1200 and "transferencia" in lines[0]["description"]

    refused = await billing.post("/orders/preview", headers=auth(client_id), json={
        "items": [{"product_code": "hosting-basic", "cycle": "annual", "transfer": True}]})
    assert refused.status_code == 422


async def test_d3_a_com_ar_is_sold_yearly_and_not_transferred_in_with_an_epp_code(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    """NIC Argentina registers and renews one year at a time and has no EPP transfers between registrars (its
    holder changes in NIC's own TAD procedure): the seed's .com.ar says so and billing refuses such an order."""
    listed = (await billing.get("/catalog/domains", headers=auth())).json()
    com_ar = next(t for t in listed if t["product_code"] == "domain-com-ar")
    com = next(t for t in listed if t["product_code"] == "domain-com")
    assert (com_ar["tld"], com_ar["cycles"], com_ar["transfers"]) == ("com.ar", ["annual"], False)
    assert com["transfers"] is True
    client_id = await new_client(billing_db)
    refused = await billing.post("/orders", headers=auth(client_id), json={
        "items": [{"product_code": "domain-com-ar", "cycle": "annual", "domain": "traigo.com.ar", "transfer": True}]})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert "EPP" in refused.json()["detail"]
    assert await outbox(billing_db, "billing.service.ordered", client_id=str(client_id)) == []

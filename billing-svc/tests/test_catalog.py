"""C-1..C-4: the catalog, its staff CRUD, clients' read access and the idempotent seed."""

import uuid

import httpx
from billing_helpers import admin, auth, db_session, staff

from billing.catalog.models import ProductKind
from billing.catalog.seed_data import SEED_PRODUCTS
from billing.catalog.seeding import load_seed_catalog


def product_body(code: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "code": code, "name": "Hosting Test", "kind": "shared_hosting", "cycles": ["semiannual", "annual"],
        "activation": "automatic", "driver": "cpanel", "driver_settings": {"package": "t"},
        "prices": [{"cycle": "annual", "currency": "USD", "amount_minor": 6000},
                   {"cycle": "annual", "currency": "CLP", "amount_minor": 55000}],
    }
    body.update(overrides)
    return body


async def test_c1_c4_staff_create_product_with_prices_and_clients_read_it(billing: httpx.AsyncClient) -> None:
    code = f"t-{uuid.uuid4().hex[:8]}"
    created = await billing.post("/staff/catalog/products", json=product_body(code), headers=admin())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["driver_settings"] == {"package": "t"}
    assert {(p["cycle"], p["currency"], p["amount_minor"]) for p in body["prices"]} == {
        ("annual", "USD", 6000), ("annual", "CLP", 55000)}  # CLP: no minor unit, 55 000 pesos
    public = await billing.get(f"/catalog/products/{code}", headers=auth())
    assert public.status_code == 200
    assert "driver_settings" not in public.json() and public.json()["kind"] == "shared_hosting"
    # Clients may not write the catalog.
    assert (await billing.post("/staff/catalog/products", json=product_body(f"x-{code}"),
                               headers=auth())).status_code == 403
    assert (await billing.get("/catalog/products")).status_code == 401
    # The same code twice is a conflict.
    assert (await billing.post("/staff/catalog/products", json=product_body(code), headers=admin())).status_code == 409


async def test_c2_prices_only_for_allowed_cycles_and_strict_amounts(billing: httpx.AsyncClient) -> None:
    code = f"t-{uuid.uuid4().hex[:8]}"
    bad = product_body(code, prices=[{"cycle": "monthly", "currency": "USD", "amount_minor": 500}])
    assert (await billing.post("/staff/catalog/products", json=bad, headers=admin())).status_code == 422
    fractional = product_body(code, prices=[{"cycle": "annual", "currency": "USD", "amount_minor": 10.5}])
    assert (await billing.post("/staff/catalog/products", json=fractional, headers=admin())).status_code == 422
    boolean = product_body(code, prices=[{"cycle": "annual", "currency": "USD", "amount_minor": False}])
    assert (await billing.post("/staff/catalog/products", json=boolean, headers=admin())).status_code == 422
    assert (await billing.post("/staff/catalog/products", json=product_body(code), headers=admin())).status_code == 201
    put = await billing.put(f"/staff/catalog/products/{code}/prices/semiannual/ARS", json={"amount_minor": 300000},
                            headers=admin())
    assert put.status_code == 200
    prices = {(p["cycle"], p["currency"], p["amount_minor"]) for p in put.json()["prices"]}
    assert ("semiannual", "ARS", 300000) in prices
    wrong_cycle = await billing.put(f"/staff/catalog/products/{code}/prices/monthly/ARS", json={"amount_minor": 1},
                                    headers=admin())
    assert wrong_cycle.status_code == 422
    deleted = await billing.delete(f"/staff/catalog/products/{code}/prices/semiannual/ARS", headers=admin())
    assert deleted.status_code == 204
    assert (await billing.delete(f"/staff/catalog/products/{code}/prices/semiannual/ARS",
                                 headers=admin())).status_code == 404


async def test_c3_upgrade_paths_stay_within_one_kind(billing: httpx.AsyncClient) -> None:
    small, big, radio = (f"t-{uuid.uuid4().hex[:8]}" for _ in range(3))
    assert (await billing.post("/staff/catalog/products", json=product_body(big), headers=admin())).status_code == 201
    radio_body = product_body(radio, kind="audio_streaming", cycles=["monthly"], prices=[])
    assert (await billing.post("/staff/catalog/products", json=radio_body, headers=admin())).status_code == 201
    bad = await billing.post("/staff/catalog/products", json=product_body(small, upgrade_to=[radio]), headers=admin())
    assert bad.status_code == 422
    unknown = await billing.post("/staff/catalog/products", json=product_body(small, upgrade_to=["nope-x"]),
                                 headers=admin())
    assert unknown.status_code == 422
    ok = await billing.post("/staff/catalog/products", json=product_body(small, upgrade_to=[big]), headers=admin())
    assert ok.status_code == 201 and ok.json()["upgrade_to"] == [big]


async def test_withdrawn_product_is_hidden_from_clients(billing: httpx.AsyncClient) -> None:
    code = f"t-{uuid.uuid4().hex[:8]}"
    await billing.post("/staff/catalog/products", json=product_body(code), headers=admin())
    patched = await billing.patch(f"/staff/catalog/products/{code}", json={"active": False, "name": "Old"},
                                  headers=admin())
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert (await billing.get(f"/catalog/products/{code}", headers=auth())).status_code == 404
    codes = [p["code"] for p in (await billing.get("/staff/catalog/products", headers=staff())).json()]
    assert code in codes


async def test_c1_seed_catalog_has_every_kind_and_loads_idempotently(billing_db: str, billing: httpx.AsyncClient
                                                                      ) -> None:
    async with db_session(billing_db) as session:
        await load_seed_catalog(session)
    async with db_session(billing_db) as session:
        assert await load_seed_catalog(session) == (0, 0)
    assert {p.kind for p in SEED_PRODUCTS} == {k.value for k in ProductKind}
    products = {p["code"]: p for p in (await billing.get("/catalog/products", headers=auth())).json()}
    hosting = products["hosting-basic"]
    assert hosting["cycles"] == ["semiannual", "annual"]  # C-2
    assert hosting["upgrade_to"] == ["hosting-plus", "hosting-pro"]  # C-3
    assert {"cycle": "annual", "currency": "USD", "amount_minor": 6000} in hosting["prices"]
    assert products["pay-with-time"]["prices"] == [{"cycle": "monthly", "currency": "USD", "amount_minor": 50}]


async def test_i19_public_catalog_needs_no_login_and_prices_in_the_visitors_currency(
        billing: httpx.AsyncClient) -> None:
    """#19 item 2: a storefront reads products and prices without a token; the currency is the one asked for, else
    the visitor's country's (what a client from there is billed in), else US dollars."""
    by_default = await billing.get("/catalog/public")
    assert by_default.status_code == 200, by_default.text
    body = by_default.json()
    assert body["currency"] == "USD" and body["products"]
    assert all(p["active"] for p in body["products"])
    assert all(price["currency"] == "USD" for p in body["products"] for price in p["prices"])
    assert "driver" not in body["products"][0]
    argentina = (await billing.get("/catalog/public", params={"country": "AR"})).json()
    assert argentina["currency"] == "ARS"
    assert {price["currency"] for p in argentina["products"] for price in p["prices"]} == {"ARS"}
    asked = (await billing.get("/catalog/public", params={"country": "AR", "currency": "USD"})).json()
    assert asked["currency"] == "USD"
    assert (await billing.get("/catalog/public", params={"country": "ZZ"})).status_code == 422
    assert (await billing.get("/catalog/public", params={"currency": "XXX"})).status_code == 422

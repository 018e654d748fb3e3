"""D-1 with issue 14 item 3: a TLD's register, renew and transfer prices are the admins' to change, like the rest of
the catalog (C-4); staff and clients read them (403 on a change), every change is in billing's audit log with who,
when and the prices before and after, the same prices again are no change, and bad input is a problem that changes
nothing."""

import uuid
from typing import Any

import httpx
from billing_helpers import admin, audit, auth, is_problem, staff


async def tld_prices(billing: httpx.AsyncClient, code: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    listed = (await billing.get("/catalog/domains", headers=auth())).json()
    tld = next(t for t in listed if t["product_code"] == code)
    return {(p["cycle"], p["currency"]): (p["register_minor"], p["renew_minor"], p["transfer_minor"])
            for p in tld["prices"]}


async def test_d1_c4_only_admins_set_tld_prices_each_change_audited_with_before_and_after(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    ana, beto = uuid.uuid4(), uuid.uuid4()
    code = f"domain-a{uuid.uuid4().hex[:6]}"
    created = await billing.post("/staff/catalog/products", headers=admin(ana), json={
        "code": code, "name": "Dominio .audit", "kind": "domain", "cycles": ["annual"],
        "activation": "automatic", "driver": "registrar", "driver_settings": {"tld": ".audit"},
        "prices": [{"cycle": "annual", "currency": "USD", "amount_minor": 1400}]})
    assert created.status_code == 201, created.text
    url = f"/staff/catalog/domains/{code}/prices/annual/USD"
    body = {"register_minor": 999, "renew_minor": 1500, "transfer_minor": 1200}
    start = {("annual", "USD"): (1400, 1400, 1400)}  # no TLD prices yet: register and transfer cost the renewal
    assert await tld_prices(billing, code) == start

    # Staff and clients read the list, they do not change it.
    for headers in (staff(), auth(uuid.uuid4())):
        assert is_problem(await billing.put(url, headers=headers, json=body), 403)
    assert (await billing.get("/catalog/domains", headers=staff())).status_code == 200

    # Bad input: a problem, nothing changed, nothing audited.
    bad: list[tuple[str, dict[str, Any], int]] = [
        (url, {**body, "renew_minor": -1}, 422),
        (url, {**body, "register_minor": 9.5}, 422),
        (url, {**body, "transfer_minor": None}, 422),
        (url, {"register_minor": 999, "renew_minor": 1500}, 422),  # all three prices, always
        (url, {**body, "setup_minor": 1}, 422),
        (f"/staff/catalog/domains/{code}/prices/monthly/USD", body, 422),  # domains are sold in whole years
        (f"/staff/catalog/domains/{code}/prices/biennial/USD", body, 422),  # whole years, but not sold so
        (f"/staff/catalog/domains/{code}/prices/triennial/USD", body, 422),  # no such cycle
        (f"/staff/catalog/domains/{code}/prices/annual/XXX", body, 422),  # a currency billing does not know
        (f"/staff/catalog/domains/{code}/prices/annual/usd", body, 422),
        ("/staff/catalog/domains/hosting-basic/prices/annual/USD", body, 404),  # not a domain
        (f"/staff/catalog/domains/domain-none{uuid.uuid4().hex[:6]}/prices/annual/USD", body, 404),
    ]
    for path, payload, status in bad:
        refused = await billing.put(path, headers=admin(ana), json=payload)
        assert is_problem(refused, status), (path, payload, refused.text)
    assert await tld_prices(billing, code) == start
    assert [r["action"] for r in await audit(billing_db, "product", code)] == ["product_created"]

    # An admin sets them: audited with who, when, before and after; the same prices again are not a change.
    assert (await billing.put(url, headers=admin(ana), json=body)).status_code == 204
    assert (await billing.put(url, headers=admin(beto), json=body)).status_code == 204
    raised = {**body, "transfer_minor": 1300}
    assert (await billing.put(url, headers=admin(beto), json=raised)).status_code == 204
    assert await tld_prices(billing, code) == {("annual", "USD"): (999, 1500, 1300)}
    rows = await audit(billing_db, "product", code)
    assert [(r["action"], r["actor_id"]) for r in rows] == [
        ("product_created", ana), ("tld_price_set", ana), ("tld_price_set", beto)]
    first, second = rows[1]["details"], rows[2]["details"]
    assert (first["cycle"], first["currency"], first["actor_email"]) == ("annual", "USD", f"{ana.hex[:8]}@example.test")
    assert first["before"] == {"register_minor": None, "renew_minor": 1400, "transfer_minor": None}
    assert first["after"] == body and second["before"] == body and second["after"] == raised
    assert rows[1]["at"] <= rows[2]["at"]

    # The console's history lists it for staff, newest first.
    history = (await billing.get("/staff/catalog/history", headers=staff(), params={"limit": 200})).json()
    mine = [h for h in history if h["code"] == code]
    assert [(h["action"], h["actor_id"]) for h in mine] == [
        ("tld_price_set", str(beto)), ("tld_price_set", str(ana)), ("product_created", str(ana))]
    assert (mine[0]["cycle"], mine[0]["currency"], mine[0]["before"], mine[0]["after"]) == (
        "annual", "USD", body, raised)

"""Issue 14 item 3: admins change coupons (B-12) and the catalog (C-1..C-4) from the console, staff and clients only
read (403), every change in the audit log; bad input is a problem that changes nothing; a new price is what new
orders pay while issued invoices keep theirs (B-9, B-16)."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
from billing_helpers import audit, auth, is_problem, new_client, sql, staff

from abono.auth import Role


def admin_as(user_id: uuid.UUID) -> dict[str, str]:
    return auth(user_id, role=Role.ADMIN)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


async def coupon_rows(billing_db: str, code: str) -> list[dict[str, object]]:
    return await sql(billing_db, "SELECT percent, amount_minor, currency, audience, expires_at, max_uses, uses, "
                                 "retired_at FROM coupons WHERE code = $1", code)


async def test_b12_coupon_validation_answers_a_problem_and_changes_nothing(billing: httpx.AsyncClient,
                                                                          billing_db: str) -> None:
    code = unique("VALID")
    created = await billing.post("/staff/coupons", headers=admin_as(uuid.uuid4()), json={
        "code": code, "amount_minor": 50000, "currency": "ARS", "audience": "any", "max_uses": 2})
    assert created.status_code == 201, created.text
    before = await coupon_rows(billing_db, code)
    bad_creates: list[tuple[dict[str, Any], int]] = [
        ({"code": code, "percent": 10}, 409),  # the code is taken
        ({"code": unique("P"), "percent": 0}, 422),
        ({"code": unique("P"), "percent": 100.5}, 422),
        ({"code": unique("P"), "percent": 10, "amount_minor": 500, "currency": "USD"}, 422),  # both kinds
        ({"code": unique("F"), "amount_minor": 500}, 422),  # a fixed amount without its currency
        ({"code": unique("F"), "amount_minor": 500, "currency": "XXX"}, 422),  # a currency we do not bill in
        ({"code": unique("F"), "amount_minor": 0, "currency": "CLP"}, 422),
        ({"code": unique("D"), "percent": 10, "expires_at": "2001-01-01T00:00:00Z"}, 422),  # already expired
        ({"code": unique("U"), "percent": 10, "max_uses": 0}, 422),
        ({"code": "no lowercase", "percent": 10}, 422),
    ]
    for body, status in bad_creates:
        refused = await billing.post("/staff/coupons", headers=admin_as(uuid.uuid4()), json=body)
        assert is_problem(refused, status), (body, refused.text)
        if status == 422:
            assert await coupon_rows(billing_db, body["code"]) == []
    # Two uses of the coupon, then edits that break a rule.
    for _ in range(2):
        client_id = await new_client(billing_db, currency="ARS")
        order = await billing.post("/orders", headers=auth(client_id), json={
            "items": [{"product_code": "vps-1", "cycle": "monthly"}], "coupon": code})
        assert order.status_code == 201, order.text
    before = await coupon_rows(billing_db, code)
    assert before[0]["uses"] == 2
    for change in [{"max_uses": 1}, {"max_uses": 0}, {"percent": 10}, {"amount_minor": None}, {"currency": "XXX"},
                   {"percent": 101, "amount_minor": None, "currency": None}, {"expires_at": "2001-01-01T00:00:00Z"},
                   {"code": "OTHER"}]:
        refused = await billing.patch(f"/staff/coupons/{code}", headers=admin_as(uuid.uuid4()), json=change)
        assert refused.status_code in (409, 422) and is_problem(refused, refused.status_code), (change, refused.text)
    assert await coupon_rows(billing_db, code) == before
    assert [a["action"] for a in await audit(billing_db, "coupon", code)] == ["coupon_created"]
    # Switching to a percentage clears the fixed amount; the limit may grow.
    switched = await billing.patch(f"/staff/coupons/{code}", headers=admin_as(uuid.uuid4()), json={
        "percent": 12.5, "amount_minor": None, "currency": None, "max_uses": 5})
    assert switched.status_code == 200, switched.text
    assert Decimal(switched.json()["percent"]) == Decimal("12.5")
    now = switched.json()
    assert (now["amount_minor"], now["currency"], now["max_uses"]) == (None, None, 5)
    assert (await billing.patch(f"/staff/coupons/{unique('NONE')}", headers=admin_as(uuid.uuid4()),
                                json={"max_uses": 3})).status_code == 404


async def test_i7_staff_and_clients_read_but_only_admins_change_coupons_and_the_catalog(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    code = unique("ROLE")
    changes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/staff/coupons", {"code": code, "percent": 5}),
        ("PATCH", f"/staff/coupons/{code}", {"max_uses": 9}),
        ("POST", f"/staff/coupons/{code}/retire", None),
        ("DELETE", f"/staff/coupons/{code}", None),
        ("POST", "/staff/catalog/products", {"code": "role-x", "name": "X", "kind": "vps", "cycles": ["monthly"],
                                             "activation": "manual", "driver": "staff-task"}),
        ("PATCH", "/staff/catalog/products/vps-1", {"name": "Renamed"}),
        ("PUT", "/staff/catalog/products/vps-1/prices/monthly/USD", {"amount_minor": 1}),
        ("DELETE", "/staff/catalog/products/vps-1/prices/monthly/USD", None),
    ]
    for headers in (staff(), auth(uuid.uuid4())):
        for method, path, body in changes:
            refused = await billing.request(method, path, headers=headers, json=body)
            assert is_problem(refused, 403), (method, path, refused.text)
    assert await coupon_rows(billing_db, code) == []
    vps = await sql(billing_db, "SELECT p.name, pr.amount_minor FROM products p JOIN prices pr ON pr.product_id = p.id "
                                "WHERE p.code = 'vps-1' AND pr.cycle = 'monthly' AND pr.currency = 'USD'")
    assert vps[0]["name"] != "Renamed" and vps[0]["amount_minor"] != 1
    for path in ("/staff/coupons", "/staff/catalog/products", "/staff/catalog/history"):
        assert (await billing.get(path, headers=staff())).status_code == 200
        assert is_problem(await billing.get(path, headers=auth(uuid.uuid4())), 403)


async def test_b12_a_used_coupon_is_retired_never_deleted_and_each_change_is_audited(billing: httpx.AsyncClient,
                                                                                    billing_db: str) -> None:
    ana, beto = uuid.uuid4(), uuid.uuid4()
    code, spare = unique("RET"), unique("SPARE")
    for name in (code, spare):
        assert (await billing.post("/staff/coupons", headers=admin_as(ana), json={
            "code": name, "percent": 10, "audience": "any"})).status_code == 201
    client_id = await new_client(billing_db)
    order = {"items": [{"product_code": "vps-1", "cycle": "monthly"}], "coupon": code}
    assert (await billing.post("/orders", headers=auth(client_id), json=order)).status_code == 201
    changed = await billing.patch(f"/staff/coupons/{code}", headers=admin_as(beto), json={"percent": 20})
    assert changed.status_code == 200 and Decimal(changed.json()["percent"]) == 20
    # Used once: never deleted, only retired; retired, no new order gets it.
    kept = await billing.delete(f"/staff/coupons/{code}", headers=admin_as(beto))
    assert is_problem(kept, 409) and "retire" in kept.json()["detail"]
    retired = await billing.post(f"/staff/coupons/{code}/retire", headers=admin_as(beto))
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    again = await billing.post(f"/staff/coupons/{code}/retire", headers=admin_as(beto))
    assert again.json()["retired_at"] == retired.json()["retired_at"]
    other = await new_client(billing_db)
    refused = await billing.post("/orders/preview", headers=auth(other), json=order)
    assert is_problem(refused, 422) and "no longer valid" in refused.json()["detail"]
    assert is_problem(await billing.patch(f"/staff/coupons/{code}", headers=admin_as(beto), json={"max_uses": 9}), 409)
    # Never used: deleted.
    assert (await billing.delete(f"/staff/coupons/{spare}", headers=admin_as(beto))).status_code == 204
    assert await coupon_rows(billing_db, spare) == []
    rows = await audit(billing_db, "coupon", code)
    assert [(r["action"], r["actor_id"]) for r in rows] == [
        ("coupon_created", ana), ("coupon_updated", beto), ("coupon_retired", beto)]
    updated = rows[1]["details"]
    assert (Decimal(updated["before"]["percent"]), Decimal(updated["after"]["percent"])) == (10, 20)
    assert updated["actor_email"] == f"{beto.hex[:8]}@example.test"
    assert [r["action"] for r in await audit(billing_db, "coupon", spare)] == ["coupon_created", "coupon_deleted"]
    history = (await billing.get("/staff/catalog/history", headers=staff(), params={"limit": 200})).json()
    mine = [(h["action"], h["code"]) for h in history if h["code"] in (code, spare)]
    assert mine[0] == ("coupon_deleted", spare) and ("coupon_retired", code) in mine


async def test_c4_b16_a_new_price_is_what_new_orders_pay_and_issued_invoices_keep_theirs(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    ana = uuid.uuid4()
    code = f"cc-{uuid.uuid4().hex[:8]}"
    target = f"cc-{uuid.uuid4().hex[:8]}"
    product = {"code": code, "name": "Radio Consola", "kind": "audio_streaming", "cycles": ["monthly", "annual"],
               "activation": "manual", "driver": "staff-task",
               "prices": [{"cycle": "monthly", "currency": "USD", "amount_minor": 1000}]}
    assert (await billing.post("/staff/catalog/products", headers=admin_as(ana), json=product)).status_code == 201
    assert (await billing.post("/staff/catalog/products", headers=admin_as(ana), json={
        **product, "code": target, "name": "Radio Consola Plus"})).status_code == 201
    early = await new_client(billing_db)
    placed = await billing.post("/orders", headers=auth(early), json={"items": [{"product_code": code,
                                                                                 "cycle": "monthly"}]})
    assert placed.status_code == 201, placed.text
    # The admin raises the price, adds an annual one and an upgrade path; none of it touches the issued invoice.
    raised = await billing.put(f"/staff/catalog/products/{code}/prices/monthly/USD", headers=admin_as(ana),
                               json={"amount_minor": 1500})
    assert raised.status_code == 200, raised.text
    assert (await billing.put(f"/staff/catalog/products/{code}/prices/monthly/USD", headers=admin_as(ana),
                              json={"amount_minor": 1500})).status_code == 200  # the same again: not audited
    assert (await billing.patch(f"/staff/catalog/products/{code}", headers=admin_as(ana),
                                json={"upgrade_to": [target], "name": "Radio Consola 2027"})).status_code == 200
    late = await new_client(billing_db)
    preview = await billing.post("/orders/preview", headers=auth(late), json={"items": [{"product_code": code,
                                                                                         "cycle": "monthly"}]})
    assert preview.status_code == 200, preview.text
    assert preview.json()["lines"][0]["unit_price"] == {"amount_minor": 1500, "currency": "USD"}
    issued = (await billing.get(f"/invoices/{placed.json()['invoice_id']}", headers=auth(early))).json()
    assert issued["lines"][0]["unit_price"] == {"amount_minor": 1000, "currency": "USD"}
    # The early client's service renews at this price: it cannot be removed from under it.
    kept = await billing.delete(f"/staff/catalog/products/{code}/prices/monthly/USD", headers=admin_as(ana))
    assert is_problem(kept, 409)
    assert (await sql(billing_db, "SELECT count(*) AS n FROM prices p JOIN products x ON x.id = p.product_id "
                                  "WHERE x.code = $1", code))[0]["n"] == 1
    rows = await audit(billing_db, "product", code)
    assert [(r["action"], r["actor_id"]) for r in rows] == [
        ("product_created", ana), ("price_set", ana), ("product_updated", ana)]
    price_set = rows[1]["details"]
    assert (price_set["cycle"], price_set["currency"], price_set["before"], price_set["after"]) == (
        "monthly", "USD", 1000, 1500)
    updated = rows[2]["details"]
    assert updated["before"] == {"name": "Radio Consola", "upgrade_to": []}
    assert updated["after"] == {"name": "Radio Consola 2027", "upgrade_to": [target]}

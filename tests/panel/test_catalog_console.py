"""Issue 14 item 3 in the browser: an admin creates a coupon and changes a plan's price in the staff console (B-12,
C-4), the history shows a domain's prices changed through the API (D-1) named and as money, and a client's order
preview in Contratar shows the new price and the coupon's discount line at once, with no restart (B-16: new orders
pay the current price). A staff member sees the same page read-only. The admin's page is checked with axe-core and
photographed at both widths."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for
from tests.conftest import ADMIN_EMAIL
from tests.panel.test_journey import seed_catalog
from tests.panel.test_pages import check
from tests.panel.test_staff_console import PASSWORD, staff_member
from tests.panel.test_staff_settings import card, sign_in_admin

if TYPE_CHECKING:
    from tests.panel.conftest import Panel


async def test_b12_c4_admin_sets_a_coupon_and_a_price_in_the_console_and_the_client_preview_shows_both(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    # A plan of its own (the seed's plans stay as other tests expect them), priced 6.000,00 ARS a semester.
    suffix = uuid.uuid4().hex[:6]
    plan = f"Hosting Consola {suffix}"
    created = await gateway.post("/api/billing/staff/catalog/products", headers=admin_headers, json={
        "code": f"hosting-console-{suffix}", "name": plan, "kind": "shared_hosting", "cycles": ["semiannual"],
        "activation": "automatic", "driver": "cpanel", "driver_settings": {"package": "basic"},
        "prices": [{"cycle": "semiannual", "currency": "ARS", "amount_minor": 600000}]})
    assert created.status_code == 201, created.text
    coupon = f"CONSOLA-{suffix.upper()}"
    # A domain's register, renew and transfer prices (D-1), set by an admin through the API, show in the same
    # history; the domain is withdrawn at once so no other page offers it.
    domain = f"domain-console-{suffix}"
    assert (await gateway.post("/api/billing/staff/catalog/products", headers=admin_headers, json={
        "code": domain, "name": f"Dominio .consola{suffix}", "kind": "domain", "cycles": ["annual"],
        "activation": "automatic", "driver": "registrar", "driver_settings": {"tld": f".consola{suffix}"},
        "prices": [{"cycle": "annual", "currency": "USD", "amount_minor": 1400}]})).status_code == 201
    tld = await gateway.put(f"/api/billing/staff/catalog/domains/{domain}/prices/annual/USD", headers=admin_headers,
                            json={"register_minor": 999, "renew_minor": 1500, "transfer_minor": 1200})
    assert tld.status_code == 204, tld.text
    assert (await gateway.patch(f"/api/billing/staff/catalog/products/{domain}", headers=admin_headers,
                                json={"active": False})).status_code == 200

    admin = await panel.person(width="laptop")
    await sign_in_admin(admin)
    await admin.goto("/staff/billing")
    coupons = card(admin, "Cupones")
    await coupons.get_by_label("Código").fill(coupon)
    await coupons.get_by_label("Porcentaje de descuento").fill("15")
    await coupons.get_by_role("button", name="Crear cupón").click()
    await expect(coupons.get_by_text("Cupón creado.")).to_be_visible()
    await expect(coupons.get_by_test_id("coupon-row").filter(has_text=coupon)).to_contain_text("15%")

    catalog = card(admin, "Catálogo, precios y mejoras de plan")
    await catalog.get_by_label("Producto a editar").select_option(label=plan)
    price = catalog.get_by_role("form", name="Semestral en ARS")
    await price.get_by_role("textbox", name="Semestral en ARS").fill("7654,32")
    await price.get_by_role("button", name="Guardar precio").click()
    await expect(price.get_by_text("Precio guardado")).to_be_visible()
    history = card(admin, "Últimos cambios del catálogo y los cupones")
    await expect(history.get_by_role("row").filter(has_text="Precio Semestral ARS")).to_contain_text(ADMIN_EMAIL)
    await expect(history.get_by_role("row").filter(has_text=coupon).first).to_contain_text("Cupón creado")
    tld_row = history.get_by_role("row").filter(has_text=f"Precios del dominio Anual USD · {domain}")
    for shown in ("renovación: US$", "14,00 → renovación: US$", "15,00", "registro: US$", "9,99", "transferencia: US$",
                  "12,00"):
        await expect(tld_row).to_contain_text(shown)
    await check(panel, admin, "console-catalog-admin")
    phone = await panel.person(width="phone")
    await sign_in_admin(phone)
    await phone.goto("/staff/billing")
    await card(phone, "Catálogo, precios y mejoras de plan").get_by_label("Producto a editar").select_option(label=plan)
    await check(panel, phone, "console-catalog-admin")

    # A staff member reads the same coupons and catalog, without a control to change them.
    staff_email = await staff_member(panel, gateway, admin_headers)
    staff = await panel.person(width="laptop")
    await panel.sign_in(staff, staff_email)
    await staff.goto("/staff/billing")
    await expect(staff.get_by_text("Solo un administrador cambia los cupones y el catálogo")).to_be_visible()
    await expect(card(staff, "Cupones").get_by_test_id("coupon-row").filter(has_text=coupon)).to_be_visible()
    await expect(staff.get_by_role("button", name="Crear cupón")).to_have_count(0)
    await expect(staff.get_by_label("Producto a editar")).to_have_count(0)

    # A client in Argentina orders the plan with the coupon: the preview has the new price and the coupon's line.
    email = panel.new_email("julia")
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Julia Paz", "country": "AR"})
    assert signup.status_code == 202, signup.text
    login = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")
    client = await panel.person(width="laptop")
    await panel.sign_in(client, email)
    await client.get_by_role("navigation").get_by_role("link", name="Contratar", exact=True).click()
    await client.get_by_role("button", name="Hosting", exact=True).click()
    await client.get_by_label(plan).check()
    await client.get_by_label("Semestral").check()
    await client.get_by_label("Dominio").fill(f"julia{suffix}.com.ar")
    await client.get_by_label("Cupón").fill(coupon)
    await client.get_by_role("button", name="Aplicar").click()
    preview = client.get_by_test_id("order-preview")
    await expect(preview).to_contain_text(f"Cupón {coupon} (\u221215%)")  # a minus sign
    await expect(preview).to_contain_text("7.654,32")  # the new price, not 6.000,00
    await expect(preview).not_to_contain_text("6.000,00")
    await panel.screenshot(client, "es-order-new-price-coupon")

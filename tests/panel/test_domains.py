"""Issue 21 in the panel (D-1..D-3, P-2, B-15): a client searches a name in *Contratar*, sees availability and the
price per TLD, gives its registrant data once, orders the available `.com` (one name, one line), and once paid sees
it active with its expiry at the registrar (the local ResellerClub), changes its name servers, which reach the
registry, and turns its renewal off (a domain is never cancelled). The pages pass axe-core in both languages and
are photographed at 390 and 1280 px."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for
from tests.panel.test_journey import seed_catalog
from tests.panel.test_pages import check

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"


async def test_d1_d2_d3_a_client_searches_orders_and_manages_a_com(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    registrar = panel.platform.fake_registrar
    assert registrar is not None
    email = panel.new_email("lia")
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Lía Gómez", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    headers = await panel.platform.login(gateway, email, PASSWORD)

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")

    # D-1: search in Contratar → Dominios, with the price per TLD in the client's currency.
    label = f"lia{uuid.uuid4().hex[:8]}"
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto("/order")
    await page.get_by_role("button", name="Dominios", exact=True).click()
    await page.get_by_label("Nombre que querés registrar").fill(f"www.{label}.com")
    await page.get_by_role("button", name="Buscar", exact=True).click()
    com = page.get_by_test_id("domain-result").filter(has_text=f"{label}.com").first
    await expect(com).to_contain_text("Disponible")
    await expect(com).to_contain_text("el primer año")
    await expect(page.get_by_test_id("domain-result").filter(has_text=f"{label}.com.ar").first).to_be_visible()
    await check(panel, page, "es-order-domain-search")

    # P-2: the registrant data once, then the order of that one name.
    await page.get_by_role("button", name=f"Registrar {label}.com", exact=True).click()
    await page.get_by_label("Nombre y apellido").fill("Lía Gómez")
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_label("Dirección").fill("Av. Rivadavia 100")
    await page.get_by_label("Ciudad").fill("Córdoba")
    await page.get_by_label("Código postal").fill("X5000")
    await page.get_by_label("Teléfono", exact=True).fill("3514567890")
    await check(panel, page, "es-order-domain-registrant")
    await page.get_by_role("button", name="Guardar datos del titular").click()
    await expect(page.get_by_text("Titular: Lía Gómez")).to_be_visible()
    await page.get_by_role("button", name="Pedir y ver la factura").click()
    await expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f-]+"))
    invoice_id = page.url.split("/invoices/", 1)[1].split("?", 1)[0]
    invoice = (await gateway.get(f"/api/billing/invoices/{invoice_id}", headers=headers)).json()
    assert [line["description"].split(" · ")[0] for line in invoice["lines"]] == ["Registro de dominio .com"]
    paid = await gateway.post(
        f"/api/billing/staff/invoices/{invoice_id}/confirm-transfer",
        headers=admin_headers,
        json={"amount_minor": invoice["total_due"]["amount_minor"], "transfer_reference": f"BNA-{label}"},
    )
    assert paid.status_code == 200, paid.text

    # D-2: registered once at the registrar, active with its expiry.
    await page.goto("/domains")
    row = page.get_by_test_id("domain-row").filter(has_text=f"{label}.com")
    await expect(row).to_contain_text("Activo", timeout=20_000)
    assert len(registrar.calls_of("domains/register.json", **{"domain-name": f"{label}.com"})) == 1
    await check(panel, page, "es-domains")

    # D-3: the client's own name servers reach the registry.
    await row.get_by_role("link", name=f"{label}.com").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{label}.com")
    await page.get_by_label("Usar mis propios servidores").check()
    await page.get_by_label("Servidor de nombres 1").fill("ns1.lia.net")
    await page.get_by_label("Servidor de nombres 2").fill("ns2.lia.net")
    await check(panel, page, "es-domain")
    await page.get_by_role("button", name="Guardar servidores").click()
    await expect(page.get_by_text("Guardado: el registro lo toma")).to_be_visible()
    order = registrar.order(f"{label}.com")
    assert order is not None

    async def at_registry() -> bool:
        return bool(order["ns"] == ["ns1.lia.net", "ns2.lia.net"])

    await wait_for(at_registry, within=15, what="the new name servers at the registry")

    # B-15: never cancelled, only not renewed.
    await page.get_by_role("button", name="Desactivar renovación").click()
    await expect(page.get_by_text("No se renueva: vence")).to_be_visible()
    mine = (await gateway.get("/api/provisioning/domains", headers=headers)).json()
    billing = (await gateway.get(f"/api/billing/services/{mine[0]['service_id']}", headers=headers)).json()
    assert billing["renew"] is False

    # English, 1280 px.
    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, email)
    await english.get_by_role("button", name="EN", exact=True).click()
    await english.goto("/domains")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Domains")
    await english.get_by_label("Name you want to register").fill("google")
    await english.get_by_role("button", name="Search", exact=True).click()
    await expect(english.get_by_test_id("domain-result").filter(has_text="google.com").first).to_contain_text("Taken")
    await check(panel, english, "en-domains")
    await english.get_by_role("link", name=f"{label}.com").click()
    await expect(english.get_by_text("It does not renew")).to_be_visible()
    await check(panel, english, "en-domain")

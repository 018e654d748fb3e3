"""Issue 21 in the panel (D-1..D-3, P-2, P-4, B-15): a client searches a name in *Contratar*, sees availability and
the price per TLD, gives its registrant data once, orders the available `.com` (one name, one line), pays at the
sandbox's hosted checkout and sees it active with its expiry at the registrar (the local ResellerClub); it changes
its name servers while the registrar fails, staff see the failure in the console's Dominios page (with the domain
by expiry) and retry it (audited), and the registry gets them; the client turns its renewal off (a domain is never
cancelled). A second client brings a `.com` registered elsewhere with its EPP code (D-3 transfer in). The pages pass
axe-core in both languages and are photographed at 390 and 1280 px."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect
from sqlalchemy import text

from abono.db import make_engine
from abono.testing import wait_for
from tests.panel.test_journey import seed_catalog
from tests.panel.test_pages import check
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from playwright.async_api import Page

    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"
LIVE = 20_000  # ms: the payment crosses the sandbox's checkout → billing → broker → provisioning → registrar


async def new_client(panel: Panel, gateway: httpx.AsyncClient, who: str, name: str) -> tuple[str, dict[str, str]]:
    email = panel.new_email(who)
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": name, "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    headers = await panel.platform.login(gateway, email, PASSWORD)

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")
    return email, headers


async def pay_at_checkout(page: Page) -> None:
    """On the invoice just ordered: pay by card at the provider's hosted checkout (the sandbox's Stripe)."""
    invoice_url = page.url.split("?", 1)[0]
    await page.locator("input[name=method][value=stripe]").check()  # "Tarjeta": Stripe's card
    await page.get_by_role("button", name=re.compile("^Pagar con Tarjeta")).click()
    await page.get_by_role("button", name="Pay").click()
    await expect(page).to_have_url(f"{invoice_url}?paid=1")
    await expect(page.get_by_text("¡Pago acreditado!")).to_be_visible(timeout=LIVE)


async def give_registrant(page: Page, email: str, name: str) -> None:
    await page.get_by_label("Nombre y apellido").fill(name)
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_label("Dirección").fill("Av. Rivadavia 100")
    await page.get_by_label("Ciudad").fill("Córdoba")
    await page.get_by_label("Código postal").fill("X5000")
    await page.get_by_label("Teléfono", exact=True).fill("3514567890")


async def test_d1_d2_d3_a_client_searches_orders_and_manages_a_com(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    registrar = panel.platform.fake_registrar
    assert registrar is not None
    email, headers = await new_client(panel, gateway, "lia", "Lía Gómez")

    # D-1: search in Contratar → Dominios, with the price per TLD in the client's currency.
    label = f"lia{uuid.uuid4().hex[:8]}"
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto("/order")
    await page.get_by_role("button", name="Dominios", exact=True).click()
    await page.get_by_label("Nombre que desea registrar").fill(f"www.{label}.com")
    await page.get_by_role("button", name="Buscar", exact=True).click()
    com = page.get_by_test_id("domain-result").filter(has_text=f"{label}.com").first
    await expect(com).to_contain_text("Disponible")
    await expect(com).to_contain_text("el primer año")
    await expect(page.get_by_test_id("domain-result").filter(has_text=f"{label}.com.ar").first).to_be_visible()
    await check(panel, page, "es-order-domain-search")

    # P-2: the registrant data once, then the order of that one name.
    await page.get_by_role("button", name=f"Registrar {label}.com", exact=True).click()
    await give_registrant(page, email, "Lía Gómez")
    await check(panel, page, "es-order-domain-registrant")
    await page.get_by_role("button", name="Guardar datos del titular").click()
    await expect(page.get_by_text("Titular: Lía Gómez")).to_be_visible()
    await page.get_by_role("button", name="Pedir y ver la factura").click()
    await expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f-]+"))
    invoice_id = page.url.split("/invoices/", 1)[1].split("?", 1)[0]
    invoice = (await gateway.get(f"/api/billing/invoices/{invoice_id}", headers=headers)).json()
    assert [line["description"].split(" · ")[0] for line in invoice["lines"]] == ["Registro de dominio .com"]
    await pay_at_checkout(page)

    # D-2: registered once at the registrar, active with its expiry.
    await page.goto("/domains")
    row = page.get_by_test_id("domain-row").filter(has_text=f"{label}.com")
    await expect(row).to_contain_text("Activo", timeout=LIVE)
    assert len(registrar.calls_of("domains/register.json", **{"domain-name": f"{label}.com"})) == 1
    await check(panel, page, "es-domains")

    # D-3: the client's own name servers; the registrar fails (P-4: retried, shown to operators).
    registrar.fail_paths["domains/modify-ns.json"] = 1_000
    await row.get_by_role("link", name=f"{label}.com").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{label}.com")
    service_id = page.url.rsplit("/", 1)[1]
    await page.get_by_label("Usar mis propios servidores").check()
    await page.get_by_label("Servidor de nombres 1").fill("ns1.lia.net")
    await page.get_by_label("Servidor de nombres 2").fill("ns2.lia.net")
    await check(panel, page, "es-domain")
    await page.get_by_role("button", name="Guardar servidores").click()
    await expect(page.get_by_text("Guardado: el registro lo toma")).to_be_visible()
    order = registrar.order(f"{label}.com")
    assert order is not None

    async def failing() -> bool:
        errors = (await gateway.get("/api/provisioning/staff/domains/errors", headers=admin_headers)).json()
        return any(e["service_id"] == service_id and e["kind"] == "set_nameservers" for e in errors)

    await wait_for(failing, what="the failing name server change in the operators' list")

    # Staff: Dominios in the console: the domain by expiry, the registrar's error, "retry now" (audited).
    staff_email = await staff_member(panel, gateway, admin_headers)
    console = await panel.person()
    await panel.sign_in(console, staff_email)
    await console.get_by_role("link", name="Dominios", exact=True).click()
    await expect(console.get_by_role("heading", level=1)).to_have_text("Dominios en el registro")
    error = console.get_by_test_id("registrar-error").filter(has_text=f"{label}.com")
    await expect(error).to_contain_text("Cambio de DNS")
    await expect(error).to_contain_text("503")
    await console.get_by_label("Vencen hasta").fill((date.today() + timedelta(days=2 * 366)).isoformat())
    await expect(console.get_by_test_id("staff-domain-row").filter(has_text=f"{label}.com")).to_contain_text("Activo")
    await check(panel, console, "es-staff-domains")
    registrar.fail_paths["domains/modify-ns.json"] = 0  # the registrar is back
    await error.get_by_role("button", name="Reintentar ahora").click()
    await expect(console.get_by_text("Reintento pedido")).to_be_visible()

    async def at_registry() -> bool:
        return bool(order["ns"] == ["ns1.lia.net", "ns2.lia.net"])

    await wait_for(at_registry, what="the new name servers at the registry")
    await expect(console.get_by_test_id("registrar-error").filter(has_text=f"{label}.com")).to_have_count(0)
    me = (await gateway.get("/api/auth/me", headers=await panel.platform.login(gateway, staff_email, PASSWORD))).json()
    client_id = (await gateway.get("/api/billing/clients/me", headers=headers)).json()["id"]
    trail = (await gateway.get(f"/api/provisioning/staff/clients/{client_id}", headers=admin_headers)).json()["audit"]
    assert [(a["action"], a["actor_id"]) for a in trail if a["action"] == "retry_driver_action"] == [
        ("retry_driver_action", me["id"])]

    # B-15: never cancelled, only not renewed.
    await page.get_by_role("button", name="Desactivar renovación").click()
    await expect(page.get_by_text("No se renueva: vence")).to_be_visible()
    mine = (await gateway.get("/api/provisioning/domains", headers=headers)).json()
    billing = (await gateway.get(f"/api/billing/services/{mine[0]['service_id']}", headers=headers)).json()
    assert billing["renew"] is False

    # English, 1280 px.
    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, email)
    await panel.speak_english(english)
    await english.goto("/domains")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Domains")
    await english.get_by_label("Name you want to register").fill("google")
    await english.get_by_role("button", name="Search", exact=True).click()
    await expect(english.get_by_test_id("domain-result").filter(has_text="google.com").first).to_contain_text("Taken")
    # D-3: a .com taken elsewhere can be brought in; a .com.ar cannot (NIC Argentina has no EPP transfers), and its
    # availability came from NIC's RDAP, not from ResellerClub.
    await expect(english.get_by_role("button", name="Transfer google.com", exact=True)).to_be_visible()
    await expect(english.get_by_test_id("domain-result").filter(has_text="google.com.ar")).to_contain_text("Taken")
    await expect(english.get_by_role("button", name="Transfer google.com.ar", exact=True)).to_have_count(0)
    assert panel.platform.fake_nicar is not None and "google.com.ar" in panel.platform.fake_nicar.lookups
    await check(panel, english, "en-domains")
    await english.get_by_role("link", name=f"{label}.com").click()
    await expect(english.get_by_text("It does not renew")).to_be_visible()
    await check(panel, english, "en-domain")


async def test_d3_a_client_transfers_in_a_com_with_its_epp_code(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    registrar = panel.platform.fake_registrar
    assert registrar is not None
    name = f"traigo{uuid.uuid4().hex[:8]}.com"
    registrar.taken.add(name)  # registered at another registrar, which gave the client its code
    registrar.transfer_codes[name] = "Ep9-Secr3t"
    email, headers = await new_client(panel, gateway, "teo", "Teo Paz")

    # D-1/D-3: the taken name is offered as a transfer, at the TLD's transfer price.
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto("/domains")
    await page.get_by_label("Nombre que desea registrar").fill(name)
    await page.get_by_role("button", name="Buscar", exact=True).click()
    result = page.get_by_test_id("domain-result").filter(has_text=name).first
    await expect(result).to_contain_text("No disponible")
    await result.get_by_role("button", name=f"Transferir {name}").click()
    await expect(page.get_by_text(f"Transferir {name} a nuestra cuenta")).to_be_visible()
    await give_registrant(page, email, "Teo Paz")
    await page.get_by_role("button", name="Guardar datos del titular").click()
    await expect(page.get_by_text("Titular: Teo Paz")).to_be_visible()
    await check(panel, page, "es-order-domain-transfer")
    await page.get_by_role("button", name="Pedir y ver la factura").click()
    await expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f-]+"))
    await expect(page.get_by_text("transferencia").first).to_be_visible()
    await pay_at_checkout(page)

    # Paid, the transfer waits for the code: the client gives it on the domain's page.
    await page.goto("/domains")
    row = page.get_by_test_id("domain-row").filter(has_text=name)
    await expect(row).to_contain_text("código de autorización")
    await row.get_by_role("link", name=name).click()
    await page.get_by_label("Código EPP").fill("wrong-code")
    await page.get_by_role("button", name="Enviar el código").click()

    # A wrong code: the registrar refuses it (retried, shown to operators); the client sees why and sends it again.
    await expect(page.get_by_text("El registrador rechazó la transferencia")).to_be_visible(timeout=LIVE)
    await expect(page.get_by_text("Invalid Domain Secret / Auth Code")).to_be_visible()
    assert registrar.order(name) is None
    await check(panel, page, "es-domain-transfer-refused")
    await page.get_by_label("Código EPP").fill("Ep9-Secr3t")
    await page.get_by_role("button", name="Enviar el código").click()
    await expect(page.get_by_text("Transferencia en curso")).to_be_visible(timeout=LIVE)
    assert len(registrar.calls_of("domains/transfer.json", **{"domain-name": name, "auth-code": "Ep9-Secr3t"})) == 1

    # The losing registrar lets it go; the next sync of the transfer (hourly) finds it active here.
    registrar.complete_transfer(name)
    engine = make_engine(panel.platform.database_urls["provisioning"], pool_size=1)
    try:
        async with engine.begin() as conn:  # the hour passes: the transfer's sync is due now
            await conn.execute(text("UPDATE domains SET sync_due_at = '2000-01-01' WHERE name = :name"), {"name": name})
    finally:
        await engine.dispose()
    await expect(page.get_by_role("main").get_by_text("Activo").first).to_be_visible(timeout=LIVE)
    mine = (await gateway.get("/api/provisioning/domains", headers=headers)).json()
    [domain] = [d for d in mine if d["name"] == name]
    assert (domain["operation"], domain["status"], domain["needs"]) == ("transfer", "active", None)
    assert registrar.order(name)["currentstatus"] == "Active"  # type: ignore[index]

"""Issue 13's journey in Spanish (B-2, B-4, B-7, B-12, B-19, P-2, P-5): sign up, verify from the caught e-mail,
order hosting with a coupon (every discount line shown before confirming), pay at the sandbox's hosted checkout
(declined, then paid), and watch, in a tab that is never reloaded, the service become active, be suspended once the
test clock passes the due date, and come back when the renewal is paid."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from playwright.async_api import Page, expect

from abono.db import make_engine, make_sessionmaker, unit_of_work
from billing.seed import load_seed_catalog

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

START = datetime(2028, 3, 1, 15, 0, tzinfo=UTC)  # noon in Buenos Aires; a date no other e2e test uses
LIVE = 15_000  # ms: activation crosses billing → broker → provisioning → the fake panel → the stream


async def seed_catalog(panel: Panel) -> None:
    engine = make_engine(panel.platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)  # what `make db` does
    await engine.dispose()


async def create_coupon(gateway: httpx.AsyncClient, admin: dict[str, str], percent: int) -> str:
    code = f"BIENVENIDA-{uuid.uuid4().hex[:6].upper()}"
    created = await gateway.post("/api/billing/staff/coupons", headers=admin,
                                 json={"code": code, "percent": percent, "audience": "any"})
    assert created.status_code == 201, created.text
    return code


async def move_clock(gateway: httpx.AsyncClient, admin: dict[str, str], day: date) -> None:
    instant = START + timedelta(days=(day - START.date()).days)
    moved = await gateway.put("/api/test/clock", json={"now": instant.isoformat()}, headers=admin)
    assert moved.status_code == 200, moved.text


async def report_transfer(page: Page) -> None:
    """On an open invoice page: choose transfer, follow the instructions, report it (B-19)."""
    await page.get_by_label("Transferencia").check()
    await page.get_by_role("button", name="Ver datos para transferir").click()
    await expect(page.get_by_text("Cómo pagar por transferencia")).to_be_visible()
    await page.get_by_label("Número de operación").fill(f"OP-{uuid.uuid4().hex[:8]}")
    await page.get_by_label("Comprobante").fill("Transferencia desde Banco Nación")
    await page.get_by_role("button", name="Informar pago").click()
    await expect(page.get_by_text("¡Gracias! Recibimos su aviso")).to_be_visible()


async def staff_confirms(gateway: httpx.AsyncClient, admin: dict[str, str], invoice_id: str) -> None:
    invoice = (await gateway.get(f"/api/billing/staff/invoices/{invoice_id}", headers=admin)).json()
    paid = await gateway.post(f"/api/billing/staff/invoices/{invoice_id}/confirm-transfer", headers=admin,
                              json={"amount_minor": invoice["total_due"]["amount_minor"],
                                    "transfer_reference": f"BNA-{uuid.uuid4().hex[:10]}"})
    assert paid.status_code == 200, paid.text


async def nav(page: Page, name: str) -> None:
    """Follow a link of the main navigation (client-side: the document stays the same)."""
    await page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def invoice_id_of(page: Page) -> str:
    match = re.search(r"/invoices/([0-9a-f-]{36})", page.url)
    assert match, page.url
    return match.group(1)


async def test_journey_in_spanish_order_pay_active_suspended_reactivated_without_reloading(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    coupon = await create_coupon(gateway, admin_headers, percent=10)
    await move_clock(gateway, admin_headers, START.date())
    email = panel.new_email("sofia")
    page = await panel.person()
    await panel.sign_up(page, name="Sofía Gómez", email=email)
    await page.goto(await panel.mail_link(email, "/verify-email"))
    await expect(page.get_by_text("¡Correo confirmado!")).to_be_visible()
    await panel.sign_in(page, email)

    # Contratar: hosting with a coupon; the preview names every discount before confirming (B-12, B-13).
    await nav(page, "Contratar")
    await page.get_by_role("button", name="Hosting", exact=True).click()
    await page.get_by_label("Hosting Básico").check()
    await page.get_by_label("Semestral").check()
    domain = f"sofia{uuid.uuid4().hex[:6]}.com.ar"
    await page.get_by_label("Dominio").fill(domain)
    await page.get_by_label("Cupón").fill(coupon)
    await page.get_by_role("button", name="Aplicar").click()
    preview = page.get_by_test_id("order-preview")
    await expect(preview).to_contain_text(f"Cupón {coupon} (\u221210%)")  # a minus sign
    await expect(preview).to_contain_text("Descuento por pago Semestral")
    await panel.screenshot(page, "es-order")
    await page.get_by_role("button", name="Confirmar pedido").click()
    await expect(page.get_by_text("¡Pedido confirmado!")).to_be_visible()
    await expect(page.get_by_text(f"Cupón {coupon}")).to_be_visible()  # the invoice carries the same lines
    await panel.screenshot(page, "es-invoice-new")
    invoice_url = page.url.split("?", 1)[0]  # without the "just ordered" marker

    # A second tab stays on Mis servicios for the rest of the journey and is never reloaded: every change of
    # state reaches it through the live stream (issue 13 item 4).
    watcher = await page.context.new_page()
    await watcher.goto("/services")
    row = watcher.get_by_test_id("service-row").filter(has_text="Hosting Básico")
    await expect(row).to_contain_text("Pendiente de pago")
    await watcher.evaluate("window.__sameDocument = true")  # gone if anything reloads the tab

    # Pay by card at the provider's hosted checkout (the sandbox): a declined card first, then a good one (B-19).
    await page.locator("input[name=method][value=stripe]").check()  # "Tarjeta": Stripe's card
    await page.get_by_role("button", name=re.compile("^Pagar con Tarjeta")).click()
    await page.get_by_role("button", name="Decline").click()
    await expect(page.get_by_text("El pago no se completó")).to_be_visible()
    await page.locator("input[name=method][value=stripe]").check()  # "Tarjeta": Stripe's card
    await page.get_by_role("button", name=re.compile("^Pagar con Tarjeta")).click()
    await page.get_by_role("button", name="Pay").click()
    await expect(page).to_have_url(f"{invoice_url}?paid=1")
    await expect(page.get_by_text("¡Pago acreditado!")).to_be_visible(timeout=LIVE)
    await panel.screenshot(page, "es-invoice-paid")
    await expect(row).to_contain_text("Activo", timeout=LIVE)  # P-2, in the untouched tab

    # The renewal goes unpaid: two days after its due date the service is suspended (B-2, B-4), live.
    services = await billing_services(gateway, email)
    due = date.fromisoformat(services[0]["next_due_on"])
    await move_clock(gateway, admin_headers, due - timedelta(days=15))
    await move_clock(gateway, admin_headers, due + timedelta(days=2))
    await expect(row).to_contain_text("Suspendido", timeout=LIVE)
    await panel.screenshot(watcher, "es-services-suspended")

    # Pay the renewal from Facturas by a reported transfer; the service comes back by itself (B-7, P-5).
    await nav(page, "Facturas")
    renewal_row = page.get_by_test_id("invoice-row").filter(has_text="Renovación")
    await expect(renewal_row).to_contain_text("Impaga")
    await renewal_row.get_by_role("link").click()
    await report_transfer(page)
    await staff_confirms(gateway, admin_headers, invoice_id_of(page))
    await expect(page.get_by_text("Pagada", exact=True).first).to_be_visible(timeout=LIVE)
    await expect(row).to_contain_text("Activo", timeout=LIVE)
    assert await watcher.evaluate("window.__sameDocument === true"), "the watching tab was reloaded"


async def billing_services(gateway: httpx.AsyncClient, email: str) -> list[dict[str, Any]]:
    login = await gateway.post("/api/auth/login", json={"email": email, "password": "una-clave-bien-larga"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    services = (await gateway.get("/api/billing/services", headers=headers)).json()
    assert services, "no service"
    return list(services)




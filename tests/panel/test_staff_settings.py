"""Issue 14 item 5 in the browser: an admin changes the dunning days (B-4) in the staff console, and the next
scheduler sweep follows them: an invoice one day overdue, left alone under the installation's 2 days, is suspended
under the new 1 day, with no restart. The page is checked with axe-core and photographed at both widths."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from playwright.async_api import Locator, Page, expect

from abono.db import asyncpg_dsn, make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.seed import load_seed_catalog

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

PASSWORD = "una-clave-bien-larga"
DUE = date(2031, 3, 3)  # a Monday no other e2e test uses
TZ = ZoneInfo("America/Argentina/Buenos_Aires")


class Billing:
    """Rows written straight to the platform's billing database: a client's service on an unpaid invoice."""

    def __init__(self, url: str) -> None:
        self.dsn = asyncpg_dsn(url)

    async def sql(self, query: str, *args: object) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def overdue_service(self, due_on: date) -> uuid.UUID:
        client_id, service_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        issued = datetime.combine(due_on - timedelta(days=15), time(12), tzinfo=UTC)
        await self.sql(
            """
            INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status, next_due_on,
                                       created_at, updated_at)
            SELECT $1, $2, id, code, 'monthly', 'USD', 'active', $3, $4, $4 FROM products ORDER BY code LIMIT 1
        """,
            service_id,
            client_id,
            due_on,
            issued,
        )
        await self.sql(
            """
            INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                                  subtotal_minor, discount_minor, credit_applied_minor, total_minor, note)
            VALUES ($1::uuid, 'ST-' || $1::uuid::text, 'RS' || left(replace($1::uuid::text, '-', ''), 12), $2, 'USD',
                    'renewal', 'unpaid', $3, $4, 5000, 0, 0, 5000, '')
        """,
            invoice_id,
            client_id,
            issued,
            due_on,
        )
        await self.sql(
            """
            INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, quantity,
                                       unit_price_minor, gross_minor, discount_minor, amount_minor, discounts)
            VALUES ($1, $2, 1, 'service', 'hosting', $3, 1, 5000, 5000, 0, 5000, '[]')
        """,
            uuid.uuid4(),
            invoice_id,
            [service_id],
        )
        return service_id

    async def status(self, service_id: uuid.UUID) -> str:
        return str((await self.sql("SELECT status FROM subscriptions WHERE id = $1", service_id))[0]["status"])


async def move_clock(gateway: httpx.AsyncClient, admin: dict[str, str], day: date, hour: int) -> None:
    instant = datetime.combine(day, time(hour), tzinfo=TZ)
    moved = await gateway.put("/api/test/clock", json={"now": instant.isoformat()}, headers=admin)
    assert moved.status_code == 200, moved.text


def card(page: Page, title: str) -> Locator:
    return page.locator("section.card", has=page.get_by_role("heading", name=title, exact=True))


async def sign_in_admin(page: Page) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("Correo electrónico").fill(ADMIN_EMAIL)
    await page.get_by_label("Contraseña", exact=True).fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Ingresar").click()
    await expect(page.locator("main.content")).to_be_visible()


async def test_b4_admin_changes_dunning_days_in_the_console_and_the_next_sweep_follows_them(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    engine = make_engine(panel.platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
    await engine.dispose()
    billing = Billing(panel.platform.database_urls["billing"])
    one_day_late = await billing.overdue_service(DUE)
    witness = await billing.overdue_service(DUE - timedelta(days=2))  # 3 days late at the sweep: B-4 under both
    await move_clock(gateway, admin_headers, DUE + timedelta(days=1), 12)

    async def swept() -> bool:
        return await billing.status(witness) == "suspended"

    await wait_for(swept, within=30, what="the sweep at the installation's days to suspend the witness")
    assert await billing.status(one_day_late) == "active"  # B-4 at 2 days: not yet

    try:
        page = await panel.person(width="laptop")
        await sign_in_admin(page)
        await page.get_by_role("navigation").get_by_role("link", name="Configuración", exact=True).click()
        await expect(page.get_by_role("heading", name="Configuración del negocio")).to_be_visible()
        dunning = card(page, "Cobranza: avisos, suspensión y baja")
        b4 = page.get_by_label("Suspender el servicio a los (días de atraso)")
        await expect(b4).to_have_value("2")
        await b4.fill("1")
        await page.get_by_role("button", name="Guardar días de cobranza").click()
        await expect(page.get_by_text("Guardado. Rige desde la próxima corrida.")).to_be_visible()
        await expect(dunning.get_by_text("Cambiada en la consola")).to_be_visible()
        history = card(page, "Historial de cambios")
        await expect(history.get_by_text(ADMIN_EMAIL)).to_be_visible()
        await expect(history.get_by_text("suspend_after_days")).to_be_visible()

        await move_clock(gateway, admin_headers, DUE + timedelta(days=1), 13)  # the next sweep, the same day

        async def suspended() -> bool:
            return await billing.status(one_day_late) == "suspended"

        await wait_for(suspended, within=30, what="the next sweep to suspend at the new B-4 day")
        assert await panel.axe(page) == []
        await panel.screenshot(page, "staff-settings")
        phone = await panel.person(width="phone")
        await sign_in_admin(phone)
        await phone.goto("/staff/settings")
        await expect(phone.get_by_role("heading", name="Configuración del negocio")).to_be_visible()
        await expect(phone.get_by_label("Suspender el servicio a los (días de atraso)")).to_have_value("1")
        assert await panel.axe(phone) == []
        await panel.screenshot(phone, "staff-settings")
    finally:  # the other e2e tests dun at the installation's days
        reset = await gateway.delete("/api/billing/staff/settings/dunning", headers=admin_headers)
        assert reset.status_code in (204, 404), reset.text


async def test_b19_client_sees_the_transfer_account_an_admin_set_for_its_currency_and_country(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    engine = make_engine(panel.platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
    await engine.dispose()
    email = panel.new_email("lucia")
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Lucía Gómez", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    headers = await panel.platform.login(gateway, email, PASSWORD)

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")
    order = {"items": [{"product_code": "hosting-basic", "cycle": "annual", "domain": f"l{uuid.uuid4().hex[:8]}.com"}]}
    placed = await gateway.post("/api/billing/orders", json=order, headers=headers)
    assert placed.status_code == 201, placed.text
    bank = {
        "currency": "ARS",
        "country": "AR",
        "bank_name": "Banco de la Nación Argentina",
        "account_holder": "Hosting del Sur SA",
        "account_number": "0110599520000001234567",
        "alias": "HOSTING.SUR.PESOS",
        "holder_tax_id": "30-71234567-8",
        "notes": "Solo transferencias en pesos.",
    }
    put = await gateway.put(
        "/api/billing/staff/settings/transfers", headers=admin_headers, json={"transfer_instructions": [bank]}
    )
    assert put.status_code == 200, put.text
    try:
        page = await panel.person(width="phone")
        await panel.sign_in(page, email)
        await page.goto(f"/invoices/{placed.json()['invoice_id']}")
        await page.get_by_label("Transferencia").check()
        await page.get_by_role("button", name="Ver datos para transferir").click()
        details = page.get_by_test_id("bank-details")
        await expect(details.get_by_text("0110599520000001234567")).to_be_visible()
        await expect(details.get_by_text("HOSTING.SUR.PESOS")).to_be_visible()
        await expect(details.get_by_text("Solo transferencias en pesos.")).to_be_visible()
        assert await panel.axe(page) == []
        await panel.screenshot(page, "invoice-transfer-bank")
    finally:
        reset = await gateway.delete("/api/billing/staff/settings/transfers", headers=admin_headers)
        assert reset.status_code == 204, reset.text


async def test_item5_admin_previews_a_template_marks_a_day_off_and_sees_the_staff_security(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    page = await panel.person(width="laptop")
    await sign_in_admin(page)
    await page.goto("/staff/settings")
    templates = card(page, "Plantillas de mensajes")
    await expect(templates.get_by_label("Texto (bloques subject, text, whatsapp, params)")).to_have_value(
        re.compile(r"\{% block subject %\}")
    )
    await templates.get_by_role("button", name="Vista previa").click()
    await expect(templates.get_by_test_id("preview-subject")).to_have_text(
        "Factura F-000123 emitida: ARS 15.000,00, vence el 10 de enero de 2027"
    )
    holidays = card(page, "Feriados y días no laborables")
    await holidays.get_by_label("Día", exact=True).fill("2031-07-21")
    await holidays.get_by_label("Nota").fill("Asueto de la empresa")
    await holidays.get_by_role("button", name="Guardar el día").click()
    try:
        await expect(holidays.get_by_text("Asueto de la empresa")).to_be_visible()
        payments = card(page, "Medios de pago y mínimos")
        methods = payments.get_by_label("Medios por país del cliente")
        await expect(methods).to_have_value(re.compile(r"^AR: "))
        await methods.fill("AR: mercadopago, transfer\n*: stripe, transfer")
        await payments.get_by_role("button", name="Guardar medios de pago").click()
        await expect(payments.get_by_text("Cambiada en la consola")).to_be_visible()
        stored = (await gateway.get("/api/billing/staff/settings", headers=admin_headers)).json()["payments"]
        assert stored["value"]["payment_methods_by_country"] == {
            "AR": ["mercadopago", "transfer"],
            "*": ["stripe", "transfer"],
        }
        security = card(page, "Seguridad del staff")
        await expect(security.get_by_label("Exigir verificación en dos pasos a todo el staff")).not_to_be_checked()
        assert await panel.axe(page) == []
        await panel.screenshot(page, "staff-settings-more")
    finally:
        removed = await gateway.delete("/api/support/calendar/overrides/2031-07-21", headers=admin_headers)
        assert removed.status_code == 204, removed.text
        reset = await gateway.delete("/api/billing/staff/settings/payments", headers=admin_headers)
        assert reset.status_code in (204, 404), reset.text

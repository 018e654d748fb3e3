"""P-8 in the browser: a client asks, on its hosting's page, that we migrate everything from its old server; staff see
the request in the console's provisioning work with its deadline, reveal the old server's access, mark it done, and the
client's page says it is done. Checked with axe-core and photographed at both widths."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from playwright.async_api import Page, expect

from tests.panel.test_pages import check, client_with_active_hosting
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

OLD = {"host": "cpanel.viejo-hosting.com", "username": "martaweb", "password": "clave-vieja-Q7r2"}
LIVE = 20_000  # ms: the client's page looks again every 15 s


async def shown_date(page: Page, day: str) -> str:
    """The date as the panel writes it (formatDate, es-AR)."""
    script = ("d => new Intl.DateTimeFormat('es-AR', {day: 'numeric', month: 'short', year: 'numeric'})"
              ".format(new Date(d + 'T12:00:00'))")
    return str(await page.evaluate(script, day))


async def test_p8_we_migrate_everything_from_the_service_page_to_the_console_and_back_done(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    client = await client_with_active_hosting(panel, gateway, admin_headers)
    page = await panel.person()
    await panel.sign_in(page, client.email)
    await page.goto(f"/services/{client.service_id}")
    card = page.locator("section.card", has=page.get_by_role("heading", name="Migrar mi sitio"))
    await expect(card.get_by_label("Migramos todo nosotros (recomendado)")).to_be_checked()
    await card.get_by_label("Servidor o panel anterior").fill(OLD["host"])
    await card.get_by_label("Usuario del servidor anterior").fill(OLD["username"])
    await card.get_by_label("Clave del servidor anterior").fill(OLD["password"])
    await check(panel, page, "es-service-migration-form")
    await card.get_by_role("button", name="Pedir la migración").click()
    await expect(card.get_by_test_id("migration-state")).to_contain_text("Pedida: la hacemos antes del")
    [request] = (await gateway.get(f"/api/provisioning/services/{client.service_id}/migrations",
                                   headers=client.headers)).json()
    due = await shown_date(page, request["due_on"])
    await expect(card.get_by_test_id("migration-state")).to_contain_text(due)
    await check(panel, page, "es-service-migration-requested")

    # Staff: the request in the provisioning work area, with its deadline; the access only on request.
    staff_email = await staff_member(panel, gateway, admin_headers)
    staff = await panel.person()
    await panel.sign_in(staff, staff_email)
    await staff.goto("/staff/provisioning")
    await expect(staff.get_by_role("heading", name="Migraciones de hosting")).to_be_visible()
    provisioned = await gateway.get(f"/api/provisioning/services/{client.service_id}", headers=client.headers)
    domain = provisioned.json()["domain"]
    row = staff.get_by_test_id("staff-migration").filter(has_text=domain).filter(has_text=due)
    await expect(row).to_have_count(1)
    await expect(row).not_to_contain_text(OLD["password"])
    await row.get_by_role("button", name="Ver acceso").click()
    await expect(row.get_by_test_id("migration-access")).to_contain_text(OLD["password"])
    await expect(row.get_by_test_id("migration-access")).to_contain_text(OLD["host"])
    await check(panel, staff, "es-staff-migration-revealed")
    await row.get_by_role("button", name="Marcar terminada").click()
    await expect(row).to_have_count(0)

    # The client's page follows without a reload.
    await expect(card.get_by_test_id("migration-state")).to_contain_text("Migración terminada", timeout=LIVE)
    await expect(card.get_by_role("button", name="Pedir la migración")).to_have_count(0)  # done: no new form unasked
    await expect(card.get_by_role("button", name="Migrar otro sitio")).to_be_visible()
    await check(panel, page, "es-service-migration-done")

    # In English, on a phone: the same page, done.
    phone = await panel.person(width="phone", language="en")
    await panel.sign_in(phone, client.email)
    await panel.speak_english(phone)
    await phone.goto(f"/services/{client.service_id}")
    await expect(phone.get_by_test_id("migration-state")).to_contain_text("Migration finished")
    await check(panel, phone, "en-service-migration-done")

"""Issue 17 in the panel (S-4): staff open an incident from the console on the server a client's hosting sits on
(known to support from provisioning's events); the client sees it on that service's page, then sees it resolved
once staff post the update that resolves it; staff schedule maintenance, which the client sees coming, and add a
server with its HTTP health probe. Checked with axe-core in both languages and photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from tests.panel.test_pages import check, hosting_on_a_server
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

# Wednesday 12:00 UTC, a date no other e2e test uses; the browser runs in UTC, so the form's local times are UTC.
START = datetime(2030, 3, 13, 12, 0, tzinfo=UTC)


async def test_s4_staff_open_an_incident_in_the_console_and_the_client_sees_it_on_its_service_page(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    client, server = await hosting_on_a_server(panel, gateway, admin_headers, START)
    mark = uuid.uuid4().hex[:6]
    title = f"Correo demorado {mark}"

    staff = await panel.person(width="laptop")
    await panel.sign_in(staff, await staff_member(panel, gateway, admin_headers))
    await staff.get_by_role("link", name="Estado del servicio").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Estado del servicio")
    declare = staff.get_by_role("form", name="Abrir un incidente")
    await declare.get_by_label("Servidor").select_option(server)
    await declare.get_by_label("Título del incidente").fill(title)
    await declare.get_by_label("Mensaje para los clientes").fill("Los correos salientes tardan en llegar.")
    await declare.get_by_role("button", name="Abrir el incidente").click()
    incident = staff.get_by_test_id("console-incident").filter(has_text=title)
    await expect(incident.locator("h3 [data-status]")).to_have_text("Investigando")
    await expect(incident).to_contain_text("Declarado por el equipo")
    await check(panel, staff, "es-staff-status")

    page = await panel.person(width="phone")
    await panel.sign_in(page, client.email)
    await page.goto("/services")  # the list marks the service whose server is in trouble
    await expect(page.get_by_test_id("service-row").get_by_test_id("incident-badge")).to_have_text(
        "Incidente en su servidor"
    )
    await page.goto(f"/services/{client.service_id}")
    seen = page.get_by_test_id("service-incident").filter(has_text=title)
    await expect(seen.locator("[data-status]")).to_have_text("Investigando")
    await expect(seen).to_contain_text("Los correos salientes tardan en llegar.")
    await expect(page.get_by_text("Hay un incidente abierto en el servidor de este servicio")).to_be_visible()
    await check(panel, page, "es-service-incident")

    # An update, then the one that resolves it.
    update = staff.get_by_role("form", name=f"Actualizar «{title}»")
    await update.get_by_label("Nuevo estado").select_option("identified")
    await update.get_by_label("Mensaje para los clientes").fill("Una cola del servidor de correo estaba trabada.")
    await update.get_by_role("button", name="Publicar la actualización").click()
    await expect(incident.locator("h3 [data-status]")).to_have_text("Identificado")
    await expect(incident.locator(".status-updates > li")).to_have_count(2)
    await update.get_by_label("Nuevo estado").select_option("resolved")
    await update.get_by_label("Mensaje para los clientes").fill("La cola se vació; todo normal.")
    await update.get_by_role("button", name="Resolver el incidente").click()
    await expect(incident.locator("h3 [data-status]")).to_have_text("Resuelto")
    await expect(update).to_have_count(0)  # a resolved incident takes no more updates

    await page.reload()
    await expect(seen.locator("[data-status]")).to_have_text("Resuelto")
    await expect(seen).to_contain_text("La cola se vació; todo normal.")
    await expect(page.get_by_text("Hay un incidente abierto en el servidor de este servicio")).to_have_count(0)
    await page.goto("/services")
    await expect(page.get_by_test_id("service-row")).to_have_count(1)
    await expect(page.get_by_test_id("incident-badge")).to_have_count(0)
    await page.goto(f"/services/{client.service_id}")

    # Maintenance two days ahead: announced at once, the client sees it coming on the same page.
    schedule = staff.get_by_role("form", name="Programar un mantenimiento")
    await schedule.get_by_label("Servidor").select_option(server)
    await schedule.get_by_label("Título del mantenimiento").fill(f"Cambio de discos {mark}")
    await schedule.get_by_label("Empieza").fill("2030-03-15T03:00")
    await schedule.get_by_label("Termina").fill("2030-03-15T05:00")
    await schedule.get_by_role("button", name="Programar").click()
    await expect(
        staff.get_by_test_id("console-maintenance").filter(has_text=f"Cambio de discos {mark}")
    ).to_be_visible()
    await page.reload()
    await expect(
        page.get_by_test_id("service-maintenance").filter(has_text=f"Cambio de discos {mark}")
    ).to_contain_text("Programado")

    # A new server with its HTTP health probe (the platform's own /healthz answers, so it stays operational).
    form = staff.get_by_role("form", name="Agregar o editar un servidor")
    await form.get_by_label("Nombre (como lo nombra el aprovisionamiento)").fill(f"edge-{mark}")
    await form.get_by_label("Nombre visible").fill(f"Borde {mark}")
    await form.get_by_label("Tipo de chequeo").select_option("http")
    await form.get_by_label("Destino").fill(f"{panel.url}/healthz")
    await form.get_by_label("Fallas para abrir").fill("3")
    await form.get_by_role("button", name="Guardar").click()
    row = staff.get_by_test_id("console-server").filter(has_text=f"edge-{mark}")
    await expect(row).to_contain_text(f"HTTP {panel.url}/healthz")
    await expect(row).to_contain_text("abre tras 3 fallas")

    await staff.get_by_role("button", name="EN", exact=True).click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Service status")
    await expect(incident.locator("h3 [data-status]")).to_have_text("Resolved")
    await check(panel, staff, "en-staff-status")
    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, client.email)
    await panel.speak_english(english)
    await english.goto(f"/services/{client.service_id}")
    await expect(english.get_by_test_id("service-incident").filter(has_text=title)).to_contain_text("Resolved")
    await check(panel, english, "en-service-incident")

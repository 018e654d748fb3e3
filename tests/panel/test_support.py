"""Issue 16 in the panel (S-1, S-3, S-6, S-7): a client opens a ticket in Spanish with an attachment and sees its
deadline; staff find it in the console's support desk (filtered by department, deadline and assignee), take it, add
an internal note and answer, and the answer appears in the client's open tab without a reload (the live stream's
TicketReplied), the note never; a quote staff write at the desk appears the same way and, accepted, becomes an
invoice; a client whose plan includes remote support books an appointment and moves it to another slot. Every support
page (the desk's too) is checked with axe-core in both languages and photographed at 390 and 1280 px."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect
from sqlalchemy import text

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from tests.panel.test_journey import seed_catalog
from tests.panel.test_pages import check
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"
# Monday 10:00 in Buenos Aires, a date no other e2e test uses: business hours, and Tuesday's slots are bookable.
START = datetime(2029, 6, 4, 13, 0, tzinfo=UTC)
BOOK_DAY = "2029-06-05"
LIVE = 15_000  # ms: staff's reply crosses support → broker → gateway → the stream → the page
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


async def new_client(panel: Panel, gateway: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    email = panel.new_email("sofia")
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Sofía Paz", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    headers = await panel.platform.login(gateway, email, PASSWORD)

    async def known() -> bool:
        billing = (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200
        support = (await gateway.get("/api/support/support-plan", headers=headers)).status_code == 200
        return billing and support

    await wait_for(known, within=30, what="billing and support to learn of the client")
    return email, headers


async def give_professional_plan(panel: Panel, client_id: str) -> None:
    """What billing's and provisioning's events do when a Professional plan is paid and switched on (tested in
    tests/test_support_e2e.py), written straight into support's copy to keep this test on the panel."""
    engine = make_engine(panel.platform.database_urls["support"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await session.execute(
            text(
                "INSERT INTO client_services (id, client_id, product_code, product_name, kind, status, updated_at) "
                "VALUES (:id, :client, 'support-professional', 'Soporte Profesional', 'support_plan', 'active', now())"
            ),
            {"id": uuid.uuid4(), "client": uuid.UUID(client_id)},
        )
    await engine.dispose()


async def test_s1_s3_s6_s7_a_client_opens_a_ticket_sees_the_staff_reply_live_accepts_a_quote_and_books(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    moved = await gateway.put("/api/test/clock", json={"now": START.isoformat()}, headers=admin_headers)
    assert moved.status_code == 200, moved.text
    await seed_catalog(panel)  # the desk's quote lines may come from it
    email, headers = await new_client(panel, gateway)
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.get_by_role("button", name="Menú").click()
    await page.get_by_role("link", name="Soporte").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Soporte")
    await expect(page.get_by_text("Todavía no abrió ningún ticket.")).to_be_visible()
    await check(panel, page, "es-support-empty")

    # S-1: the ticket, its class with the plan's first-response time, an attachment checked by content.
    await page.get_by_role("link", name="Abrir un ticket").click()
    await page.get_by_label("Asunto").fill("La web muestra un error 500")
    await page.get_by_label("Reporte de un error").check()
    await expect(page.get_by_text("Primera respuesta en 2 horas").first).to_be_visible()
    await page.get_by_label("Mensaje", exact=True).fill("Desde esta mañana la portada devuelve un error 500.")
    # The file control speaks the page's language (the browser's own button would say "Choose Files").
    chosen = page.get_by_test_id("chosen-files")
    await expect(chosen).to_have_text("Ningún archivo elegido")
    await expect(page.get_by_text("Elegir archivos", exact=True)).to_be_visible()
    await page.get_by_label("Adjuntos (opcional)").set_input_files(
        files=[{"name": "captura.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(chosen).to_have_text("captura.png")
    await check(panel, page, "es-support-new")
    await page.get_by_role("button", name="Enviar").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("La web muestra un error 500")
    ticket_id = page.url.rsplit("/", 1)[1]
    ticket = (await gateway.get(f"/api/support/tickets/{ticket_id}", headers=headers)).json()
    assert ticket["sla_class"] == "SLA3" and ticket["messages"][0]["attachments"][0]["content_type"] == "image/png"
    # S-3: the deadline the client is promised is on the ticket (SLA3 under Standard: 2 hours around the clock).
    await expect(page.get_by_text("Próximo plazo:")).to_be_visible()
    await expect(page.get_by_test_id("message")).to_have_count(1)
    await expect(page.get_by_text("captura.png")).to_be_visible()
    await check(panel, page, "es-support-ticket")

    # Staff answer from the console's desk: the queue filtered by department (SLA3), deadline (within 4 hours) and
    # assignee (nobody), the ticket with its due times, an internal note, then the answer; the client's open tab
    # shows the answer without a reload, and never the note.
    staff_email = await staff_member(panel, gateway, admin_headers)
    desk = await panel.person(width="laptop")
    await panel.sign_in(desk, staff_email)
    await desk.get_by_role("link", name="Mesa de soporte").click()
    await expect(desk.get_by_role("heading", level=1)).to_have_text("Mesa de soporte")
    await desk.get_by_label("Departamento").select_option("SLA3")
    await desk.get_by_label("Plazo").select_option("4h")
    await desk.get_by_label("Asignado a").select_option("none")
    row = desk.get_by_test_id("desk-row").filter(has_text=ticket["code"])
    await expect(row).to_be_visible()
    await expect(row.get_by_test_id("deadline")).not_to_be_empty()
    await check(panel, desk, "es-staff-support")
    await desk.get_by_label("Departamento").select_option("SLA1")
    await expect(desk.get_by_test_id("desk-row").filter(has_text=ticket["code"])).to_have_count(0)
    await desk.get_by_label("Departamento").select_option("SLA3")
    await row.get_by_role("link").click()
    await expect(desk.get_by_role("heading", level=1)).to_have_text("La web muestra un error 500")
    await expect(desk.get_by_text("Primera respuesta antes de")).to_be_visible()
    await expect(desk.get_by_test_id("desk-message")).to_have_count(1)
    await desk.get_by_role("button", name="Tomarlo yo").click()
    await expect(desk.get_by_test_id("assignee")).to_have_text("Asignado a Laura Staff.")
    await desk.get_by_label("Nota interna").check()
    await desk.get_by_label("Texto de la nota").fill("Revisar el registro de PHP antes de reiniciar.")
    await desk.get_by_role("button", name="Guardar nota").click()
    await expect(desk.get_by_text("Nota guardada.")).to_be_visible()
    await desk.get_by_label("Nota interna").uncheck()
    answer = "Reiniciamos el servicio PHP de su cuenta; la portada ya responde."
    await desk.get_by_label("Respuesta", exact=True).fill(answer)
    await desk.get_by_role("button", name="Enviar respuesta").click()
    await expect(desk.get_by_text("Respuesta enviada")).to_be_visible()
    await expect(desk.get_by_test_id("desk-message")).to_have_count(3)
    await check(panel, desk, "es-staff-support-ticket")
    await expect(page.get_by_test_id("message").nth(1)).to_contain_text(answer, timeout=LIVE)
    await expect(page.get_by_test_id("message").nth(1)).to_contain_text("Soporte")
    await expect(page.get_by_test_id("message")).to_have_count(2)  # the internal note never reaches the client
    await expect(page.locator("[data-status='answered']")).to_be_visible()

    # The client answers back in the thread.
    await page.get_by_label("Su respuesta").fill("¡Gracias! Ya funciona.")
    await page.get_by_role("button", name="Enviar respuesta").click()
    await expect(page.get_by_test_id("message")).to_have_count(3)

    # S-6: a quote staff write at the desk appears live on the client's ticket; accepted, billing issues its invoice.
    await desk.get_by_text("Nuevo presupuesto").click()
    await desk.get_by_label("Título").fill("Optimización del sitio")
    # A catalog line takes its product's name and price (ordered as a service once accepted); this one stays free.
    catalog = desk.get_by_label("Del catálogo")
    await catalog.select_option(index=1)
    await expect(desk.get_by_label("Descripción")).not_to_have_value("")
    await expect(desk.get_by_label("Precio unitario")).not_to_have_value("")
    await catalog.select_option("")
    await desk.get_by_label("Descripción").fill("Auditoría de rendimiento")
    await desk.get_by_label("Precio unitario").fill("150")
    await desk.get_by_role("button", name="Enviar presupuesto").click()
    await expect(desk.get_by_text("Presupuesto P-")).to_be_visible()
    quotes = (await gateway.get("/api/support/quotes", params={"ticket_id": ticket_id}, headers=admin_headers)).json()
    [quote] = quotes
    assert quote["total"] == {"amount_minor": 15000, "currency": "USD"}, quote
    number = quote["number"]
    await expect(page.get_by_test_id("quote")).to_contain_text("Auditoría de rendimiento", timeout=LIVE)
    await check(panel, page, "es-support-ticket-quote")
    await page.get_by_role("button", name="Aceptar y generar la factura").click()
    await expect(page.get_by_text("Aceptó este presupuesto")).to_be_visible()

    async def invoiced() -> bool:
        invoices = (await gateway.get("/api/billing/invoices", headers=headers)).json()
        return any(number in str(i.get("note")) for i in invoices)

    await wait_for(invoiced, within=20, what="billing's invoice for the accepted quote")
    await page.get_by_role("link", name="Ver facturas").click()
    await expect(page.get_by_test_id("invoice-row")).to_have_count(1)

    # S-7: Standard has no remote support; Professional books a slot within business hours.
    await page.goto("/support/appointments")
    await expect(page.get_by_text("Su plan no incluye asistencia remota.")).to_be_visible()
    await check(panel, page, "es-support-appointments-none")
    me = (await gateway.get("/api/auth/me", headers=headers)).json()
    await give_professional_plan(panel, me["id"])
    await page.reload()
    await page.get_by_label("Día").fill(BOOK_DAY)
    # The day's last slot: its 24-hour cut-off is still ahead of the (test) clock, so it can be moved below.
    last = page.get_by_role("radio").last
    await expect(last).to_be_visible()
    slot = await last.locator("xpath=..").inner_text()
    await last.check()
    await page.get_by_label("¿Qué necesita resolver?").fill("Configurar el correo en la oficina")
    await check(panel, page, "es-support-appointments")
    await page.get_by_role("button", name="Reservar", exact=True).click()
    await expect(page.get_by_text("¡Listo! Reservó el turno")).to_be_visible()
    await expect(page.get_by_test_id("appointment")).to_contain_text("Configurar el correo en la oficina")
    assert re.match(r"^1\d:\d\d", slot), slot  # business hours in Buenos Aires
    booked = (await gateway.get("/api/support/appointments", headers=headers)).json()
    assert [a["topic"] for a in booked] == ["Configurar el correo en la oficina"]

    # S-7: before the cut-off the client moves it to another free slot of the same day.
    await page.get_by_role("button", name="Cambiar horario").click()
    move = page.get_by_role("form", name="Cambiar horario")
    await move.get_by_label("Día").fill(BOOK_DAY)
    other = move.get_by_role("radio").nth(1)
    await expect(other).to_be_visible()
    await other.check()
    await check(panel, page, "es-support-appointments-reschedule")
    await move.get_by_role("button", name="Confirmar el cambio").click()
    await expect(page.get_by_text("Listo: su turno pasó al")).to_be_visible()
    moved = (await gateway.get("/api/support/appointments", headers=headers)).json()
    assert len(moved) == 1 and moved[0]["starts_at"] != booked[0]["starts_at"] and moved[0]["status"] == "booked"

    # The same pages in English at 1280 px.
    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, email)
    await panel.speak_english(english)
    for name, path, title in [
        ("support", "/support", "Support"),
        ("support-new", "/support/new", "Open a ticket"),
        ("support-ticket", f"/support/tickets/{ticket_id}", "La web muestra un error 500"),
        ("support-appointments", "/support/appointments", "Remote assistance"),
    ]:
        await english.goto(path)
        await expect(english.get_by_role("heading", level=1)).to_have_text(title)
        await check(panel, english, f"en-{name}")
    await english.goto("/support")
    await expect(english.get_by_test_id("ticket-row")).to_contain_text("Open")  # the client wrote last

    # The desk in English on a phone.
    staff_phone = await panel.person(width="phone", language="en")
    await panel.sign_in(staff_phone, staff_email)
    await panel.speak_english(staff_phone)
    for name, path, title in [
        ("staff-support", "/staff/support", "Support desk"),
        ("staff-support-ticket", f"/staff/support/tickets/{ticket_id}", "La web muestra un error 500"),
    ]:
        await staff_phone.goto(path)
        await expect(staff_phone.get_by_role("heading", level=1)).to_have_text(title)
        await check(panel, staff_phone, f"en-{name}")

"""Issue 14 in the browser: a staff member finds a client by the payment reference quoted in a transfer report,
confirms the transfer, and the client's page shows the service reactivated (B-4, B-7, B-19, P-5). The console's
pages are checked with axe-core in Spanish and English and photographed at both widths; a client who types /staff
is sent home and never gets the console's code."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for
from tests.panel.test_pages import check, client_with_active_hosting

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"
LIVE = 20_000  # ms: the payment crosses billing → broker → provisioning → the fake panel


async def move_clock(gateway: httpx.AsyncClient, admin: dict[str, str], day: date) -> None:
    instant = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)  # noon in Buenos Aires
    moved = await gateway.put("/api/test/clock", json={"now": instant.isoformat()}, headers=admin)
    assert moved.status_code == 200, moved.text


async def staff_member(panel: Panel, gateway: httpx.AsyncClient, admin: dict[str, str]) -> str:
    email = panel.new_email("laura")
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Laura Staff", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    login = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    me = (await gateway.get("/api/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})).json()
    promoted = await gateway.patch(f"/api/auth/users/{me['id']}/role", json={"role": "staff"}, headers=admin)
    assert promoted.status_code == 200, promoted.text
    return email


async def test_b19_staff_find_the_client_by_the_quoted_payment_reference_confirm_and_see_it_reactivated(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    client = await client_with_active_hosting(panel, gateway, admin_headers)
    # The renewal goes unpaid and two days after its due date the hosting is suspended (B-2, B-4).
    [service] = (await gateway.get("/api/billing/services", headers=client.headers)).json()
    due = date.fromisoformat(service["next_due_on"])
    await move_clock(gateway, admin_headers, due - timedelta(days=15))
    await move_clock(gateway, admin_headers, due + timedelta(days=2))

    async def suspended() -> bool:
        response = await gateway.get(f"/api/provisioning/services/{client.service_id}", headers=client.headers)
        return response.json()["state"] == "suspended"

    await wait_for(suspended, within=30, what="the hosting to be suspended for its unpaid renewal")
    invoices = (await gateway.get("/api/billing/invoices", headers=client.headers)).json()
    [renewal] = [i for i in invoices if i["kind"] == "renewal" and i["status"] == "unpaid"]
    reference = renewal["payment_reference"]
    operation = f"OP-{uuid.uuid4().hex[:8]}"
    reported = await gateway.post(
        f"/api/billing/invoices/{renewal['id']}/transfer-report",
        headers=client.headers,
        json={
            "reference": operation,
            "amount_minor": renewal["total_due"]["amount_minor"],
            "paid_on": (due + timedelta(days=2)).isoformat(),
            "proof": f"Transferí desde Banco Nación con la referencia {reference}",
        },
    )
    assert reported.status_code == 201, reported.text

    # A client who types the console's address is sent home, without downloading the console.
    client_page = await panel.person()
    console_chunks: list[str] = []
    client_page.on("request", lambda r: console_chunks.append(r.url) if "/assets/console-" in r.url else None)
    await panel.sign_in(client_page, client.email)
    await client_page.goto("/staff/billing")
    await expect(client_page.get_by_role("heading", name="Hola, Marta")).to_be_visible()
    assert client_page.url.rstrip("/") == panel.url.rstrip("/"), client_page.url
    assert console_chunks == []

    # Staff: the console's home, then the payment reference the bank statement shows, typed in the search box.
    staff_email = await staff_member(panel, gateway, admin_headers)
    page = await panel.person()
    await panel.sign_in(page, staff_email)
    await expect(page.get_by_role("heading", name="Consola", exact=True)).to_be_visible()
    await expect(page.get_by_test_id("revenue-chart")).to_be_visible()
    await expect(page.get_by_test_id("work-transfers")).not_to_contain_text(re.compile(r"^0"))
    await check(panel, page, "es-staff-home")
    await page.get_by_label("Buscar un cliente, una factura, un servicio o un ticket").fill(reference)
    await page.get_by_role("button", name="Buscar", exact=True).click()
    result = page.get_by_test_id("result-invoice").filter(has_text=reference)
    await expect(result).to_contain_text(renewal["number"])
    await expect(result).to_contain_text("Impaga")
    await check(panel, page, "es-staff-search")
    await result.get_by_role("link", name=renewal["number"]).click()

    # The client's page: billing and provisioning side by side, the report waiting, confirmed (B-19).
    await expect(page.get_by_role("heading", name="Marta Díaz")).to_be_visible()
    row = page.get_by_test_id("client-service").filter(has_text="Hosting")
    await expect(row.get_by_test_id("provisioning-state")).to_have_text("Suspendido")
    report = page.get_by_test_id("transfer-report").filter(has_text=operation)
    await expect(report).to_contain_text(reference)
    await check(panel, page, "es-staff-client-suspended")
    await report.get_by_label("Referencia del banco").fill(f"BNA-{uuid.uuid4().hex[:8]}")
    await report.get_by_role("button", name="Confirmar transferencia").click()
    await expect(report.get_by_text("Transferencia confirmada.")).to_be_visible()
    await expect(row.get_by_test_id("provisioning-state")).to_have_text("Activo", timeout=LIVE)  # B-7, no reload
    await expect(page.get_by_test_id("staff-invoice").filter(has_text=renewal["number"])).to_contain_text("Pagada")
    audit = page.locator("section.card", has=page.get_by_role("heading", name="Registro de acciones"))
    await expect(audit).to_contain_text("Confirmó una transferencia")
    await expect(audit).to_contain_text("Laura Staff · Confirmó una transferencia")  # who by name, not id (item 7)
    await expect(audit).to_contain_text("Reactivación: suspended → active")
    await check(panel, page, "es-staff-client-reactivated")

    # The work pages, then everything again in English and on a phone.
    await page.get_by_role("navigation").get_by_role("link", name="Facturación", exact=True).click()
    await expect(page.get_by_role("heading", name="Transferencias por confirmar")).to_be_visible()
    await check(panel, page, "es-staff-billing")
    await page.get_by_role("navigation").get_by_role("link", name="Servicios y tareas", exact=True).click()
    await expect(page.get_by_role("heading", name="Acciones que fallaron")).to_be_visible()
    await check(panel, page, "es-staff-provisioning")
    await english_and_phone(panel, staff_email, client.email)


async def english_and_phone(panel: Panel, staff_email: str, client_email: str) -> None:
    phone = await panel.person(width="phone")
    await panel.sign_in(phone, staff_email)
    await expect(phone.get_by_role("heading", name="Consola", exact=True)).to_be_visible()
    await check(panel, phone, "es-staff-home")
    await phone.goto("/staff/billing")
    await expect(phone.get_by_role("heading", name="Transferencias por confirmar")).to_be_visible()
    await check(panel, phone, "es-staff-billing")

    page = await panel.person(language="en")
    await panel.sign_in(page, staff_email)
    await page.get_by_role("button", name="EN", exact=True).click()  # the staff member's language, kept in its profile
    await expect(page.get_by_role("heading", name="Console", exact=True)).to_be_visible()
    await check(panel, page, "en-staff-home")
    await page.get_by_label("Find a client, an invoice, a service or a ticket").fill(client_email)
    await page.get_by_role("button", name="Search", exact=True).click()
    await page.get_by_test_id("result-client").get_by_role("link", name="Marta Díaz").click()
    await expect(page.get_by_role("heading", name="Services: billing and provisioning")).to_be_visible()
    await check(panel, page, "en-staff-client")
    for path, heading in (("/staff/billing", "Transfers to confirm"), ("/staff/provisioning", "Failing actions")):
        await page.goto(path)
        await expect(page.get_by_role("heading", name=heading)).to_be_visible()
        await check(panel, page, f"en-staff-{path.rsplit('/', 1)[1]}")

"""Issue 17 in the panel (S-4): the public status page `Estado del servicio`. Staff declare an incident and schedule
maintenance through the console's API; a visitor who never signed in opens /status and sees the server in trouble,
the incident with its updates (newest first) and the coming maintenance. Checked with axe-core in both languages and
photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from tests.panel.test_pages import check

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

# Monday 10:00 in Buenos Aires, a date no other e2e test uses.
START = datetime(2029, 11, 12, 13, 0, tzinfo=UTC)


async def test_s4_an_anonymous_visitor_sees_an_open_incident_on_the_public_status_page(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    moved = await gateway.put("/api/test/clock", json={"now": START.isoformat()}, headers=admin_headers)
    assert moved.status_code == 200, moved.text
    name = f"web-{uuid.uuid4().hex[:6]}"
    label = f"Servidor web {name[-6:]}"
    server = await gateway.put(f"/api/support/status/servers/{name}", headers=admin_headers, json={"label": label})
    assert server.status_code == 200, server.text
    declared = await gateway.post(
        "/api/support/status/incidents",
        headers=admin_headers,
        json={"server": name, "title": "Lentitud en los sitios web", "message": "Estamos revisando la demora."},
    )
    assert declared.status_code == 201, declared.text
    incident_id = declared.json()["id"]
    updated = await gateway.post(
        f"/api/support/status/incidents/{incident_id}/updates",
        headers=admin_headers,
        json={"status": "identified", "message": "Un disco del servidor falló; lo estamos reemplazando."},
    )
    assert updated.status_code == 201, updated.text
    starts = START + timedelta(days=3)
    maintenance = await gateway.post(
        "/api/support/status/maintenance",
        headers=admin_headers,
        json={
            "server": name,
            "title": "Actualización del kernel",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
        },
    )
    assert maintenance.status_code == 201, maintenance.text

    # A visitor with no account (no cookies, never signed in) is not sent to the sign-in page.
    page = await panel.person(width="phone")
    await page.goto("/status")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Estado del servicio")
    assert page.url.endswith("/status"), page.url
    await expect(page.get_by_test_id("status-overall")).to_have_text("Hay servicios con problemas")
    incident = page.get_by_test_id("status-incident").filter(has_text="Lentitud en los sitios web")
    await expect(incident).to_contain_text(label)
    await expect(incident.locator("h3 [data-status]")).to_have_text("Identificado")
    updates = incident.locator(".status-updates > li")
    await expect(updates).to_have_count(2)
    await expect(updates.first).to_contain_text("Un disco del servidor falló")  # newest first
    await expect(updates.nth(1)).to_contain_text("Estamos revisando la demora.")
    row = page.get_by_test_id("status-server").filter(has_text=label)
    await expect(row.locator("[data-state]")).to_have_text("Con problemas")
    await expect(row).to_contain_text("%")
    # At 390 px the 30- and 90-day uptimes are laid out alike: same width, same height (they wrapped differently).
    uptime30, uptime90 = row.locator("td[data-label]").nth(0), row.locator("td[data-label]").nth(1)
    await expect(uptime30).to_have_attribute("data-label", "Disponibilidad 30 días")
    box30, box90 = await uptime30.bounding_box(), await uptime90.bounding_box()
    assert box30 and box90
    assert (box30["x"], box30["width"], box30["height"]) == (box90["x"], box90["width"], box90["height"])
    await expect(page.get_by_test_id("status-maintenance").filter(has_text="Actualización del kernel")).to_contain_text(
        label
    )
    await check(panel, page, "es-status")

    english = await panel.person(width="laptop", language="en")
    await english.goto("/status")
    await english.get_by_role("button", name="EN", exact=True).click()
    await expect(english.get_by_role("heading", level=1)).to_have_text("Service status")
    await expect(english.get_by_test_id("status-incident").filter(has_text="Lentitud")).to_contain_text("Identified")
    await check(panel, english, "en-status")

    # Resolved, the incident stays on the page as resolved and the server is operational again.
    resolved = await gateway.post(
        f"/api/support/status/incidents/{incident_id}/updates",
        headers=admin_headers,
        json={"status": "resolved", "message": "Disco reemplazado; todo funciona."},
    )
    assert resolved.status_code == 201, resolved.text
    await page.reload()
    incident = page.get_by_test_id("status-incident").filter(has_text="Lentitud en los sitios web")
    await expect(incident.locator("h3 [data-status]")).to_have_text("Resuelto")
    await expect(row.locator("[data-state]")).to_have_text("Operativo")

"""Issue 17 across the platform (S-4 Decision, B-10): an incident of an hour on the server a client's hosting sits on,
in a 31-day month, brings the month's uptime under 99.89%; when the month is over support decides the credit, billing
adds 10% of the hosting's monthly-equivalent price to the client's balance once, and the client is told: the credit
page lists it among its movements and the notifications hold the announcement. Checked with axe-core in Spanish and
English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for
from tests.panel.test_pages import check, hosting_on_a_server

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

# July 2032 (31 days), a month no other e2e test uses; the month is decided once it is over in Buenos Aires.
START = datetime(2032, 7, 14, 15, 0, tzinfo=UTC)
MONTH_OVER = datetime(2032, 8, 1, 15, 0, tzinfo=UTC)


async def test_s4_an_hour_down_in_the_month_credits_the_client_once_shown_on_its_credit_page(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    client, server = await hosting_on_a_server(panel, gateway, admin_headers, START)
    declared = await gateway.post(
        "/api/support/status/incidents",
        headers=admin_headers,
        json={
            "server": server,
            "title": "Servidor sin respuesta",
            "message": "El servidor no responde.",
            "started_at": (START - timedelta(minutes=60)).isoformat(),  # dated back to when it began
        },
    )
    assert declared.status_code == 201, declared.text
    resolved = await gateway.post(
        f"/api/support/status/incidents/{declared.json()['id']}/updates",
        headers=admin_headers,
        json={"status": "resolved", "message": "Volvió a responder."},
    )
    assert resolved.status_code == 201, resolved.text

    moved = await gateway.put("/api/test/clock", json={"now": MONTH_OVER.isoformat()}, headers=admin_headers)
    assert moved.status_code == 200, moved.text
    [service] = (await gateway.get("/api/billing/services", headers=client.headers)).json()
    # 10% of the annual price's monthly equivalent, half-up to the minor unit.
    expected = int((Decimal(service["price"]["amount_minor"]) * 10 / 1200).quantize(Decimal(1), ROUND_HALF_UP))
    credits: list[dict[str, object]] = []

    async def credited() -> bool:
        credit = (await gateway.get("/api/billing/credit", headers=client.headers)).json()
        credits[:] = credit["sla_credits"]
        return bool(credits)

    await wait_for(credited, within=30, what="billing to add the month's SLA credit")
    assert credits == [
        {
            "service_id": client.service_id,
            "month": "2032-07-01",
            "credit_percent": 10,
            "amount": {"amount_minor": expected, "currency": service["price"]["currency"]},
            "created_at": credits[0]["created_at"],
        }
    ]
    decided = (await gateway.get("/api/support/status/sla-credits", headers=client.headers)).json()
    assert [(c["service_id"], c["credit_percent"]) for c in decided] == [(client.service_id, 10)]

    page = await panel.person(width="phone")
    await panel.sign_in(page, client.email)
    await page.goto("/credit")
    row = page.get_by_test_id("sla-credit")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Crédito por disponibilidad de Hosting Básico en julio de 2032: 10 % del precio")
    await expect(page.get_by_test_id("credit-balance")).to_be_visible()
    await check(panel, page, "es-credit-sla")
    await page.goto("/notifications")
    await expect(page.get_by_text("Crédito por disponibilidad").first).to_be_visible()

    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, client.email)
    await panel.speak_english(english)
    await english.goto("/credit")
    await expect(english.get_by_test_id("sla-credit")).to_contain_text("Uptime credit for Hosting Básico in July 2032")
    await check(panel, english, "en-credit-sla")

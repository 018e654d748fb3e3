"""Issue 13, Saldo a favor (B-10): the balance and every movement of it, from billing's client-scoped, paginated
ledger: what a payment left over, what staff credited, what an invoice used (linked to it), in the page's language;
older movements a page at a time. Checked with axe-core in both languages and photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.db import make_engine, make_sessionmaker, unit_of_work
from billing.seed import load_seed_catalog
from tests.panel.test_pages import check
from tests.panel.test_support import new_client

if TYPE_CHECKING:
    from tests.panel.conftest import Panel


async def test_b10_credit_page_lists_every_movement_a_page_at_a_time(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    engine = make_engine(panel.platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
    await engine.dispose()
    email, headers = await new_client(panel, gateway)
    client_id = (await gateway.get("/api/auth/me", headers=headers)).json()["id"]
    placed = await gateway.post(
        "/api/billing/orders", headers=headers, json={"items": [{"product_code": "web-builder", "cycle": "monthly"}]}
    )
    assert placed.status_code == 201, placed.text
    first = placed.json()
    # B-10: paid 15.00 more than the total; the excess is credit.
    paid = await gateway.post(
        f"/api/billing/staff/invoices/{first['invoice_id']}/confirm-transfer",
        headers=admin_headers,
        json={"amount_minor": first["total_due"]["amount_minor"] + 1500, "transfer_reference": uuid.uuid4().hex},
    )
    assert paid.status_code == 200, paid.text
    # Twenty small goodwill credits from staff: more movements than one page holds.
    for _ in range(20):
        adjusted = await gateway.post(
            f"/api/billing/staff/clients/{client_id}/credit",
            headers=admin_headers,
            json={"amount_minor": 100, "currency": first["total_due"]["currency"], "reason": "compensación por demora"},
        )
        assert adjusted.status_code == 200, adjusted.text
    # The next invoice is paid with the credit as it is issued.
    second = await gateway.post(
        "/api/billing/orders", headers=headers, json={"items": [{"product_code": "web-builder", "cycle": "monthly"}]}
    )
    assert second.status_code == 201, second.text
    number = second.json()["number"]

    for width in ("phone", "laptop"):
        page = await panel.person(width=width)
        await panel.sign_in(page, email)
        await page.goto("/credit")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Saldo a favor")
        movements = page.get_by_test_id("credit-movement")
        await expect(movements).to_have_count(20)
        newest = movements.first
        await expect(newest).to_have_attribute("data-kind", "applied")
        await expect(newest).to_contain_text("Usado para pagar una factura")
        await expect(newest.get_by_role("link", name=f"Factura {number}")).to_have_attribute(
            "href", f"/invoices/{second.json()['invoice_id']}"
        )
        await expect(movements.nth(1)).to_contain_text("Ajuste de nuestro equipo")
        await expect(page.get_by_text("compensación por demora")).to_have_count(0)  # staff's words stay theirs
        await check(panel, page, "es-credit-movements")
        await page.get_by_role("button", name="Ver movimientos anteriores").click()
        await expect(movements).to_have_count(22)
        oldest = movements.last
        await expect(oldest).to_have_attribute("data-kind", "overpayment")
        await expect(oldest).to_contain_text("Pago mayor al total")
        await expect(oldest.get_by_role("link", name=f"Factura {first['number']}")).to_be_visible()
        await expect(page.get_by_role("button", name="Ver movimientos anteriores")).to_have_count(0)

    english = await panel.person(language="en")
    await panel.sign_in(english, email)
    await panel.speak_english(english)
    await english.goto("/credit")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Credit")
    await expect(english.get_by_test_id("credit-movement").first).to_contain_text("Used to pay an invoice")
    await check(panel, english, "en-credit-movements")

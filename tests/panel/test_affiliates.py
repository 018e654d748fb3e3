"""Issue 18 in the panel (F-1, F-2): a client turns its affiliate account on and gets its short link (`/r/<code>` at
the gateway); a second browser (its own cookies) follows the link to the sign-up and signs up; staff approve the
attribution held because both came from one address; the referred client pays an order, and the affiliate sees the
sign-up, the pending commission with its maturity date, and downloads the month's statement PDF. The page passes
axe-core in both languages and is photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from playwright.async_api import expect

from abono.testing import wait_for
from tests.panel.test_journey import seed_catalog
from tests.panel.test_pages import check

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"


async def test_f1_f2_a_client_becomes_an_affiliate_and_sees_a_referred_clients_pending_commission(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    email = panel.new_email("ana")
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Ana Ruiz", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto("/affiliates")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Afiliados")
    await check(panel, page, "es-affiliates-join")
    await page.get_by_role("button", name="Quiero ser afiliado").click()
    link = await page.get_by_test_id("affiliate-link").inner_text()
    path = urlsplit(link).path
    assert path.startswith("/r/"), link

    # A visitor in its own browser follows the short link to the sign-up (F-1: the 90-day cookie) and signs up.
    visitor = await panel.person(width="laptop")
    await visitor.goto(path)
    await expect(visitor).to_have_url(f"{panel.url}/sign-up")
    friend = panel.new_email("amiga")
    await panel.sign_up(visitor, name="Amiga Paz", email=friend)
    headers = await panel.platform.login(gateway, friend, PASSWORD)
    friend_id = (await gateway.get("/api/auth/me", headers=headers)).json()["id"]

    async def held() -> bool:
        rows = (await gateway.get("/api/affiliate/staff/attributions?status=held", headers=admin_headers)).json()
        return any(r["client_id"] == friend_id for r in rows)

    await wait_for(held, within=20, what="the attribution, held: both came from one address")
    approved = await gateway.post(
        f"/api/affiliate/staff/attributions/{friend_id}/approve",
        headers=admin_headers,
        json={"reason": "Conocida de la afiliada, verificado por teléfono"},
    )
    assert approved.status_code == 200, approved.text

    # F-2: the referred client pays an order; the affiliate sees the pending commission and when it matures.
    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the referred client")
    placed = await gateway.post(
        "/api/billing/orders", headers=headers, json={"items": [{"product_code": "web-builder", "cycle": "monthly"}]}
    )
    assert placed.status_code == 201, placed.text
    paid = await gateway.post(
        f"/api/billing/staff/invoices/{placed.json()['invoice_id']}/confirm-transfer",
        headers=admin_headers,
        json={
            "amount_minor": placed.json()["total_due"]["amount_minor"],
            "transfer_reference": f"BNA-{uuid.uuid4().hex[:8]}",
        },
    )
    assert paid.status_code == 200, paid.text
    affiliate_headers = await panel.platform.login(gateway, email, PASSWORD)

    async def earned() -> bool:
        ledger = (await gateway.get("/api/affiliate/affiliates/me/ledger", headers=affiliate_headers)).json()
        return any(e["entry_type"] == "commission" for e in ledger)

    await wait_for(earned, within=20, what="the commission of the paid invoice")
    await page.reload()
    await expect(page.get_by_test_id("ledger-row").first).to_contain_text("Comisión")
    await expect(page.get_by_test_id("ledger-row").first).to_contain_text("Pendiente")
    await expect(page.get_by_test_id("referral")).to_contain_text("Ya pagó")
    await expect(page.get_by_test_id("balances")).to_be_visible()
    await check(panel, page, "es-affiliates")

    # The month's statement, as a PDF download.
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Descargar PDF").click()
    download = await download_info.value
    assert download.suggested_filename.startswith("afiliado-") and download.suggested_filename.endswith(".pdf")
    assert (await download.path()).read_bytes().startswith(b"%PDF")

    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, email)
    await panel.speak_english(english)
    await english.goto("/affiliates")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Affiliates")
    await expect(english.get_by_test_id("ledger-row").first).to_contain_text("Commission")
    await check(panel, english, "en-affiliates")

"""Issue #15 item 1 in the browser: the pay page offers PayPal where B-20 allows it, shows the total re-priced for
it before paying (item 5: an invoice priced for Zelle loses that discount), the approval at PayPal's (sandbox) page
comes back to the invoice, which captures the order and shows it paid; a client whose account is in
UYU is told, in its language, to ask support to switch the account to USD."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect
from sqlalchemy import text

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.seed import load_seed_catalog

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"


async def client_with_unpaid_invoice(panel: Panel, gateway: httpx.AsyncClient, *, country: str, currency: str,
                                     priced_for: str | None = None) -> tuple[str, str]:
    """A client (through the API, to keep the test short) with an unpaid hosting invoice, priced for the payment
    method `priced_for` (B-12's method discount) if given: (e-mail, invoice id)."""
    engine = make_engine(panel.platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
        # The seed prices hosting in USD and ARS only: an annual price in the client's currency.
        await session.execute(text(
            "INSERT INTO prices (product_id, cycle, currency, amount_minor) SELECT id, 'annual', :currency, 250000 "
            "FROM products WHERE code = 'hosting-basic' ON CONFLICT DO NOTHING"), {"currency": currency})
    await engine.dispose()
    email = panel.new_email("camila")
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Camila Ríos",
                                                          "country": country, "currency": currency})
    assert signup.status_code == 202, signup.text
    login = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")
    domain = f"cami{uuid.uuid4().hex[:6]}.co"
    order: dict[str, object] = {"items": [{"product_code": "hosting-basic", "cycle": "annual", "domain": domain}]}
    if priced_for:
        order["payment_method"] = priced_for
    placed = await gateway.post("/api/billing/orders", json=order, headers=headers)
    assert placed.status_code == 201, placed.text
    return email, str(placed.json()["invoice_id"])


async def test_paypal_is_offered_approved_at_its_page_and_captured_on_return(
    panel: Panel, gateway: httpx.AsyncClient
) -> None:
    # Priced for Zelle (B-12: 10% off): paying with PayPal re-prices it (B-22), and the page says so before paying.
    email, invoice_id = await client_with_unpaid_invoice(panel, gateway, country="CO", currency="USD",
                                                         priced_for="zelle")
    login = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    offer = (await gateway.get(f"/api/billing/invoices/{invoice_id}/payment-methods",
                               headers={"Authorization": f"Bearer {login.json()['access_token']}"})).json()
    page = await panel.person()
    await panel.sign_in(page, email)
    await page.goto(f"/invoices/{invoice_id}")
    await page.locator("input[name=method][value=paypal]").check()
    repriced = page.get_by_role("status").filter(has_text="El descuento por medio de pago cambia con PayPal")
    amount = await repriced.locator(".amount").inner_text()
    assert re.sub(r"\D", "", amount) == str(offer["totals"]["paypal"]["amount_minor"])  # what PayPal will charge
    pay = page.get_by_role("button", name=re.compile("^Pagar con PayPal"))
    await expect(pay).to_contain_text(amount)
    await panel.screenshot(page, "es-invoice-repriced")
    await pay.click()
    await expect(page).to_have_title(re.compile("^PayPal"))  # the sandbox's approval page
    await page.get_by_role("button", name="Pay").click()
    await expect(page).to_have_url(re.compile(rf"/invoices/{invoice_id}\?paid=1&provider=paypal&token="))
    await expect(page.get_by_text("¡Pago acreditado!")).to_be_visible(timeout=20_000)
    await panel.screenshot(page, "es-invoice-paid-paypal")


async def test_a_uyu_account_is_told_to_switch_to_usd_for_paypal(panel: Panel, gateway: httpx.AsyncClient) -> None:
    email, invoice_id = await client_with_unpaid_invoice(panel, gateway, country="UY", currency="UYU")
    page = await panel.person()
    await panel.sign_in(page, email)
    await page.goto(f"/invoices/{invoice_id}")
    await expect(page.get_by_text("PayPal no acepta cuentas en UYU. Pídale a soporte que pase su cuenta a USD "
                                  "y podrá pagar con PayPal.")).to_be_visible()
    await expect(page.locator("input[name=method][value=paypal]")).to_have_count(0)
    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.get_by_text("PayPal does not accept accounts in UYU. Ask support to switch your account to "
                                  "USD and you can pay with PayPal.")).to_be_visible()
    await panel.screenshot(page, "en-invoice-paypal-refused")

"""Issue #15 item 2 (B-21) in the browser: from Facturas → Pago automático a client adds a card at Stripe's (sandbox)
setup page, comes back with it saved, turns automatic payment on with it and stops it in one click; the page speaks
Spanish and English. Likewise with PayPal's vault (its sandbox agreement page), whose stop also cancels the
agreement at PayPal."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"


async def signed_up(panel: Panel, gateway: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A client (through the API, to keep the test short) billing knows: (e-mail, its API headers)."""
    email = panel.new_email("tomas")
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Tomás Vera",
                                                          "country": "US", "currency": "USD"})
    assert signup.status_code == 202, signup.text
    login = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")
    return email, headers


async def test_b21_a_client_saves_a_card_turns_autopay_on_and_stops_it_in_one_click(
    panel: Panel, gateway: httpx.AsyncClient
) -> None:
    email, headers = await signed_up(panel, gateway)
    page = await panel.person()
    await panel.sign_in(page, email)
    await page.goto("/invoices")
    await page.get_by_role("link", name="Pago automático").click()
    await expect(page.get_by_role("heading", name="Pago automático", exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", name="El pago automático está desactivado")).to_be_visible()
    await expect(page.get_by_text("Todavía no guardó ninguna tarjeta.")).to_be_visible()
    await page.get_by_role("button", name="Agregar una tarjeta").click()
    # Stripe's (sandbox) setup page: Checkout in setup mode, i.e. a SetupIntent.
    await expect(page).to_have_title(re.compile("^Stripe"))
    await page.get_by_label("Card number").select_option("4242424242424242")
    await page.get_by_role("button", name="Save card").click()
    await expect(page).to_have_url(re.compile(r"/autopay"))
    await expect(page.get_by_text("Tarjeta guardada: Visa •••• 4242 (12/2034).")).to_be_visible(timeout=20_000)
    await page.get_by_role("button", name="Activar el pago automático con esta tarjeta").click()
    await expect(page.get_by_role("heading", name="El pago automático está activado")).to_be_visible()
    await expect(page.get_by_test_id("autopay-method")).to_contain_text("Visa •••• 4242")
    await expect(page.get_by_text("Cada renovación se cobra el día de su vencimiento")).to_be_visible()
    state = (await gateway.get("/api/billing/autopay", headers=headers)).json()
    assert state["enabled"] is True and state["method"]["label"] == "Visa •••• 4242 (12/2034)"
    await panel.screenshot(page, "es-autopay-on")
    assert await panel.axe(page) == []
    # One click stops it, at once.
    await page.get_by_role("button", name="Desactivar el pago automático").click()
    await expect(page.get_by_role("heading", name="El pago automático está desactivado")).to_be_visible()
    await expect(page.get_by_text("Listo: el pago automático quedó desactivado.")).to_be_visible()
    assert (await gateway.get("/api/billing/autopay", headers=headers)).json()["enabled"] is False
    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.get_by_role("heading", name="Automatic payment", exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", name="Automatic payment is off")).to_be_visible()
    await expect(page.get_by_role("button", name="Remove Visa •••• 4242 (12/2034)")).to_be_visible()
    await panel.screenshot(page, "en-autopay-off")


async def test_b21_a_client_saves_paypal_turns_autopay_on_and_stopping_cancels_it_at_paypal(
    panel: Panel, gateway: httpx.AsyncClient
) -> None:
    """The client chooses PayPal among the providers B-20 allows, agrees at PayPal's (sandbox) vault page, turns
    auto-pay on with the account; one click stops it and cancels the agreement at PayPal too."""
    email, headers = await signed_up(panel, gateway)
    page = await panel.person()
    await panel.sign_in(page, email)
    await page.goto("/autopay")
    await page.get_by_role("button", name="Guardar mi cuenta de PayPal").click()
    await expect(page).to_have_title(re.compile("^PayPal"))
    await page.get_by_label("PayPal account").select_option("comprador@example.test")
    await page.get_by_role("button", name="Agree and continue").click()
    await expect(page).to_have_url(re.compile(r"/autopay"))
    await expect(page.get_by_text("Cuenta guardada: PayPal (comprador@example.test).")).to_be_visible(timeout=20_000)
    await page.get_by_role("button", name="Activar el pago automático con esta cuenta").click()
    await expect(page.get_by_test_id("autopay-method")).to_contain_text("PayPal (comprador@example.test)")
    await panel.screenshot(page, "es-autopay-paypal-on")
    assert await panel.axe(page) == []
    await page.get_by_role("button", name="Desactivar el pago automático").click()
    await expect(page.get_by_text("cancelamos la autorización en PayPal")).to_be_visible()
    assert (await gateway.get("/api/billing/autopay", headers=headers)).json()["enabled"] is False
    assert (await gateway.get("/api/billing/saved-methods", headers=headers)).json() == []

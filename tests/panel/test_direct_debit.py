"""Issue #15 item 3 in the browser: an ARS client signs a Pagos360 direct-debit mandate by CBU from the panel, sees it
pending until Pagos360 reports it signed (its webhook), and cancels it; a USD client is told it is for ARS accounts
(B-20), in its language."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"
CBU = "2850590940090418135201"


async def billing_client(panel: Panel, gateway: httpx.AsyncClient, *, currency: str) -> str:
    email = panel.new_email("lucia")
    signup = await gateway.post(
        "/api/auth/signup",
        json={"email": email, "password": PASSWORD, "name": "Lucía Díaz", "country": "AR", "currency": currency},
    )
    assert signup.status_code == 202, signup.text
    login = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the client")
    return email


async def test_an_ars_client_signs_a_cbu_mandate_sees_it_signed_and_cancels_it(
    panel: Panel, gateway: httpx.AsyncClient
) -> None:
    fake = panel.platform.fake_pagos360
    assert fake is not None
    email = await billing_client(panel, gateway, currency="ARS")
    page = await panel.person()
    await panel.sign_in(page, email)
    await page.get_by_role("link", name="Débito automático").first.click()
    await expect(page.get_by_role("heading", name="Débito automático")).to_be_visible()
    assert await panel.axe(page) == []  # the sign-up form is accessible
    await page.get_by_label("Nombre del titular").fill("Lucía Díaz")
    await page.get_by_label("CBU (22 dígitos)").fill(CBU)
    await page.get_by_label("CUIT / CUIL del titular (11 dígitos)").fill("27-12345678-0")
    await page.get_by_role("button", name="Adherirme al débito automático").click()
    await expect(page.get_by_test_id("mandate")).to_contain_text("CBU ···5201")
    await expect(page.get_by_test_id("mandate-state")).to_have_text("Pendiente de aprobación del banco")

    adhesions = [
        ref
        for ref, e in fake.entities.items()
        if ref.startswith("adhesion-") and e["cbu_number"] == CBU and e["adhesion_holder_name"] == "Lucía Díaz"
    ]
    assert len(adhesions) == 1
    await fake.sign(adhesions[0])  # the bank accepted it: Pagos360's webhook reaches billing through the gateway
    await expect(page.get_by_test_id("mandate-state")).to_have_text("Activa", timeout=20_000)
    assert await panel.axe(page) == []
    await panel.screenshot(page, "es-direct-debit-active")

    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.get_by_test_id("mandate-state")).to_have_text("Active")
    await page.get_by_role("button", name="Cancel direct debit").click()
    await page.get_by_role("button", name="Cancel direct debit").click()  # the confirmation
    await expect(page.get_by_text("You cancelled direct debit: no invoice will be debited any more.")).to_be_visible()
    assert fake.entities[adhesions[0]]["state"] == "canceled"
    await expect(page.get_by_role("button", name="Sign up for direct debit")).to_be_visible()


async def test_a_usd_client_is_told_direct_debit_is_for_ars_accounts_and_has_no_menu_entry(
    panel: Panel, gateway: httpx.AsyncClient
) -> None:
    email = await billing_client(panel, gateway, currency="USD")
    page = await panel.person()
    await panel.sign_in(page, email)
    await page.goto("/direct-debit")
    told = page.get_by_text(re.compile("^El débito automático es para cuentas en pesos argentinos"))
    await expect(told).to_be_visible()
    await expect(page.get_by_role("button", name="Adherirme al débito automático")).to_have_count(0)
    await expect(page.get_by_role("link", name="Débito automático")).to_have_count(0)  # not offered in its menu

"""Issue 13 item 2 in a browser: sign up, confirm the e-mail from the caught message, sign in, stay signed in across
a reload (refresh cookie), sign out; every page free of serious accessibility violations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import expect

if TYPE_CHECKING:
    from tests.panel.conftest import Panel


async def test_signup_verify_signin_reload_signout_in_spanish(panel: Panel) -> None:
    email = panel.new_email("rita")
    page = await panel.person(width="phone")
    await page.goto("/sign-up")
    assert await panel.axe(page) == []
    await panel.screenshot(page, "es-sign-up")
    await panel.sign_up(page, name="Rita Pérez", email=email)

    # The link in the caught e-mail confirms the address.
    link = await panel.mail_link(email, "/verify-email")
    await page.goto(link)
    await expect(page.get_by_text("¡Correo confirmado!")).to_be_visible()
    assert await panel.axe(page) == []
    await panel.screenshot(page, "es-verify-email")

    await page.goto("/sign-in")
    assert await panel.axe(page) == []
    await panel.screenshot(page, "es-sign-in")
    await panel.sign_in(page, email)
    await expect(page.get_by_role("heading", name="Hola, Rita")).to_be_visible()

    # The session survives a reload: the access token was only in memory, the refresh cookie brings a new one.
    await page.reload()
    await expect(page.get_by_role("heading", name="Hola, Rita")).to_be_visible()
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["abono_refresh"]["httpOnly"] is True
    assert await page.evaluate("document.cookie.includes('abono_refresh')") is False

    # Signing out ends it: a reload lands on the sign-in page.
    await page.get_by_role("button", name="Menú").click()
    await page.get_by_role("navigation").get_by_role("button", name="Salir").click()
    await expect(page.get_by_role("heading", name="Ingrese a su panel")).to_be_visible()
    await page.goto("/invoices")
    await expect(page).to_have_url(f"{panel.url}/sign-in?next=%2Finvoices")


async def test_wrong_password_is_explained_in_the_page_language(panel: Panel) -> None:
    page = await panel.person(language="en")
    await page.goto("/sign-in")
    await page.get_by_role("button", name="EN").click()
    await page.get_by_label("E-mail").fill(panel.new_email("nobody"))
    await page.get_by_label("Password", exact=True).fill("not-the-password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("The e-mail or the password is not right.")
    assert await panel.axe(page) == []
    await panel.screenshot(page, "en-sign-in-error")

"""Issue 11 item 6 in a browser: a common password at sign-up is refused with the reason, in the page's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import expect

if TYPE_CHECKING:
    from tests.panel.conftest import Panel


async def test_i11_signup_form_says_why_a_password_is_refused(panel: Panel) -> None:
    page = await panel.person()
    await page.goto("/sign-up")
    await page.get_by_label("Nombre y apellido").fill("Pía Común")
    await page.get_by_label("Correo electrónico").fill(panel.new_email("pia"))
    await page.get_by_label("Contraseña", exact=True).fill("password123")
    await page.get_by_role("button", name="Crear cuenta").click()
    await expect(page.get_by_role("alert")).to_contain_text("Esa contraseña está entre las más usadas y filtradas.")
    assert await panel.axe(page) == []

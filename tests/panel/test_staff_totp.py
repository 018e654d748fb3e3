"""Issue 14 item 7 in the browser: a staff account with TOTP signs in with its authenticator's code (pyotp makes it);
with the admins' policy on, a staff account without TOTP enrols on the sign-in page itself and signs in; with it off,
a staff member enrols from the console's settings; an admin resets another staff member's TOTP (a lost phone)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import httpx
import pyotp
from playwright.async_api import Page, expect

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

PASSWORD = "una-clave-bien-larga"


async def new_staff(panel: Panel, gateway: httpx.AsyncClient, admin: dict[str, str], who: str) -> str:
    email = panel.new_email(who)
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Sofía Staff", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    user = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    me = await gateway.get("/api/auth/me", headers={"Authorization": f"Bearer {user.json()['access_token']}"})
    promoted = await gateway.patch(f"/api/auth/users/{me.json()['id']}/role", headers=admin, json={"role": "staff"})
    assert promoted.status_code == 200, promoted.text
    return email


async def password_step(page: Page, email: str, password: str = PASSWORD) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_label("Contraseña", exact=True).fill(password)
    await page.get_by_role("button", name="Ingresar").click()


async def test_item7_staff_with_totp_signs_in_with_the_authenticator_code(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    email = await new_staff(panel, gateway, admin_headers, "sofia")
    setup = await gateway.post("/api/auth/totp/setup", json={"email": email, "password": PASSWORD})
    assert setup.status_code == 201, setup.text
    totp = pyotp.TOTP(setup.json()["secret"])
    page = await panel.person(width="laptop")
    await password_step(page, email)
    code = page.get_by_label("Código de verificación")
    await expect(code).to_be_visible()
    await code.fill("000000")
    await page.get_by_role("button", name="Ingresar").click()
    await expect(page.get_by_text("El código no es válido o ya se usó")).to_be_visible()
    await code.fill(totp.now())
    await page.get_by_role("button", name="Ingresar").click()
    await expect(page.locator("main.content")).to_be_visible()
    assert await panel.axe(page) == []


async def test_item7_with_the_policy_on_staff_enrol_at_sign_in_and_sign_in_with_the_code(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    email = await new_staff(panel, gateway, admin_headers, "tomas")
    on = await gateway.put("/api/auth/security-policy", headers=admin_headers, json={"require_staff_totp": True})
    assert on.status_code == 200, on.text
    try:
        page = await panel.person(width="phone")
        await password_step(page, email)
        secret = page.get_by_test_id("totp-secret")
        await expect(secret).to_be_visible()
        assert await panel.axe(page) == []
        await panel.screenshot(page, "sign-in-totp-enrol")
        totp = pyotp.TOTP((await secret.inner_text()).strip())
        await page.get_by_label("Código de verificación").fill(totp.at(time.time()))
        await page.get_by_role("button", name="Ingresar").click()
        await expect(page.locator("main.content")).to_be_visible()
    finally:  # the admin of the other tests has no second factor
        off = await gateway.put("/api/auth/security-policy", headers=admin_headers, json={"require_staff_totp": False})
        assert off.status_code == 200, off.text


async def test_item7_with_the_policy_off_staff_enrol_from_the_console_and_sign_in_with_the_code(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    email = await new_staff(panel, gateway, admin_headers, "ulises")
    page = await panel.person(width="laptop")
    await password_step(page, email)
    await expect(page.locator("main.content")).to_be_visible()  # no second factor yet, none required
    await page.goto("/staff/settings")
    await expect(page.get_by_text("Todavía no activó la verificación en dos pasos")).to_be_visible()
    await page.get_by_label("Su contraseña").fill("not-the-password")
    await page.get_by_role("button", name="Activar la verificación en dos pasos").click()
    await expect(page.get_by_role("alert")).to_be_visible()  # refused: nothing enrolled
    assert (await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})).status_code == 200
    await page.get_by_label("Su contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Activar la verificación en dos pasos").click()
    secret = page.get_by_test_id("totp-secret")
    await expect(secret).to_be_visible()
    assert await panel.axe(page) == []
    totp = pyotp.TOTP((await secret.inner_text()).strip())

    again = await panel.person(width="phone")
    await password_step(again, email)
    code = again.get_by_label("Código de verificación")
    await expect(code).to_be_visible()  # the next sign-in asks for the app's code, and confirms it
    await code.fill(totp.now())
    await again.get_by_role("button", name="Ingresar").click()
    await expect(again.locator("main.content")).to_be_visible()
    await again.goto("/staff/settings")
    await expect(again.get_by_text("Su verificación en dos pasos está activa")).to_be_visible()


async def test_item7_an_admin_resets_a_staff_members_totp_from_the_console(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    email = await new_staff(panel, gateway, admin_headers, "valeria")
    setup = await gateway.post("/api/auth/totp/setup", json={"email": email, "password": PASSWORD})
    assert setup.status_code == 201, setup.text
    asked = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert asked.status_code == 401  # the lost phone's code is needed
    page = await panel.person(width="laptop")
    await password_step(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    await expect(page.locator("main.content")).to_be_visible()
    await page.goto("/staff/settings")
    reset = page.get_by_role("button", name=f"Restablecer la verificación en dos pasos de {email}")
    await expect(reset).to_be_visible()
    assert await panel.axe(page) == []
    await reset.click()
    await expect(page.get_by_text("Listo: esa persona ingresa sin código")).to_be_visible()
    await expect(reset).to_have_count(0)
    signed = await gateway.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text  # it enrols again (policy off: when it wants)

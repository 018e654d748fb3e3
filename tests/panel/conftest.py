"""The client panel in a real browser: Debian's chromium driven by Playwright (async API, on the test session's
event loop, where the platform's servers run), against the gateway of the e2e platform serving `panel/dist`."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from abono.testing import REPO_ROOT, wait_for

if TYPE_CHECKING:
    from conftest import MailSink, Platform

CHROMIUM = "/usr/bin/chromium"
PANEL_DIST = REPO_ROOT / "panel" / "dist"
AXE = REPO_ROOT / "panel" / "node_modules" / "axe-core" / "axe.min.js"
# Every page at both widths, written by the tests (README: "Screenshots"); not committed.
SCREENSHOTS = REPO_ROOT / "panel" / "screenshots"
WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}
PASSWORD = "una-clave-bien-larga"
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not (PANEL_DIST / "index.html").is_file():
        pytest.fail("panel/dist is not built: run `make panel` (make test does it first)")
    if not Path(CHROMIUM).is_file():
        pytest.fail("no /usr/bin/chromium: `make chromium` installs Debian's (never `playwright install`)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


@dataclass
class Panel:
    """The panel as a person reaches it: a browser context (own cookies) per person, pages at a chosen width."""

    platform: Platform
    browser: Browser
    mail: MailSink
    contexts: list[BrowserContext]

    @property
    def url(self) -> str:
        return self.platform.gateway_url

    async def person(self, *, width: str = "laptop", language: str = "es") -> Page:
        w, h = WIDTHS[width]
        context = await self.browser.new_context(
            viewport={"width": w, "height": h}, locale="es-AR" if language == "es" else "en-US", base_url=self.url
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return await context.new_page()

    @staticmethod
    def new_email(who: str) -> str:
        return f"{who}-{uuid.uuid4().hex[:8]}@example.test"

    async def mail_link(self, to: str, path: str) -> str:
        """The link in a mail caught for `to` that leads to `path` (e.g. `/verify-email`): the e-mail's own
        (tracked) link, which a person clicks and the browser follows to the panel."""
        found: list[str] = []

        async def arrived() -> bool:
            async with httpx.AsyncClient(timeout=10) as http:
                for message in self.mail.to(to):
                    for link in re.findall(r"https?://[^\s\"'<>]+", _text(message)):
                        link = link.replace("&amp;", "&")
                        target = link
                        if "/api/notify/t/c/" in link:
                            target = (await http.get(link)).headers.get("location", "")
                        if path in target:
                            found.append(link)
                            return True
            return False

        await wait_for(arrived, within=20, what=f"an e-mail to {to} linking {path}")
        return found[0]

    async def sign_up(self, page: Page, *, name: str, email: str, country: str = "AR") -> None:
        await page.goto("/sign-up")
        es = await page.evaluate("document.documentElement.lang") == "es"
        await page.get_by_label("Nombre y apellido" if es else "Full name").fill(name)
        await page.get_by_label("Correo electrónico" if es else "E-mail").fill(email)
        await page.get_by_label("Contraseña" if es else "Password", exact=True).fill(PASSWORD)
        await page.get_by_label("País" if es else "Country").select_option(country)
        await page.get_by_role("button", name="Crear cuenta" if es else "Create account").click()
        await expect(page.get_by_role("heading", name="Revise su correo" if es else "Check your inbox")).to_be_visible()

    async def sign_in(self, page: Page, email: str) -> None:
        await page.goto("/sign-in")
        es = await page.evaluate("document.documentElement.lang") == "es"
        await page.get_by_label("Correo electrónico" if es else "E-mail").fill(email)
        await page.get_by_label("Contraseña" if es else "Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Ingresar" if es else "Sign in").click()
        await expect(page.locator("main.content")).to_be_visible()

    async def speak_english(self, page: Page) -> None:
        """A signed-in person switches the panel to English: the choice is kept in its profile, so this waits for
        the PATCH to be answered (a page loaded before that reads the old language back)."""
        async with page.expect_response(lambda r: r.url.endswith("/api/auth/me") and r.request.method == "PATCH"):
            await page.get_by_role("button", name="EN", exact=True).click()

    async def screenshot(self, page: Page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"] if page.viewport_size else 0
        await page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top of a full-page shot
        await page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)

    async def axe(self, page: Page) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        if not await page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the panel's strict CSP (no inline script, #11) does not
            # govern; a <script> tag (add_script_tag) would be refused, as it should be.
            await page.evaluate(AXE.read_text() + "\n;undefined")
        result = await page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
        return [v for v in json.loads(result) if v.get("impact") in ("serious", "critical")]


def _text(message: EmailMessage) -> str:
    parts = [message] if not message.is_multipart() else list(message.walk())
    return "\n".join(str(p.get_content()) for p in parts if p.get_content_type() in ("text/plain", "text/html"))


@pytest.fixture
async def panel(platform: Platform, browser: Browser, mail_sink: MailSink) -> AsyncIterator[Panel]:
    panel = Panel(platform, browser, mail_sink, [])
    yield panel
    for context in panel.contexts:
        await context.close()


async def api_login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


Check = Callable[[], Awaitable[bool]]

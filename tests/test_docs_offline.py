"""#19 item 1: `/docs` renders the whole platform's API in a real browser with no request leaving the machine (Swagger
UI's files are served by the gateway from a packaged copy, not a CDN). Headless Chromium from the system
(/usr/bin/chromium), driven by Playwright; every request the page makes is recorded and anything not addressed to
the gateway is refused and fails the test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Route, async_playwright

from abono.testing import wait_for

if TYPE_CHECKING:
    from conftest import Platform

CHROMIUM = Path(os.environ.get("ABONO_CHROMIUM", "/usr/bin/chromium"))


async def test_docs_assets_are_served_by_the_gateway(platform: Platform) -> None:
    async with platform.client() as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        for asset, media_type in [("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css")]:
            response = await client.get(f"/docs/assets/{asset}")
            assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
            assert len(response.content) > 100_000
        missing = await client.get("/docs/assets/..%2Fconsts.py")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


async def test_docs_render_offline_in_headless_chromium(platform: Platform, tmp_path: Path) -> None:
    gateway = urlsplit(platform.gateway_url).netloc

    async def merged_document_has_every_service() -> bool:
        # A service busy starting may miss the gateway's schema fetch (2 s); the gateway asks again later.
        async with httpx.AsyncClient(timeout=10) as client:
            paths = (await client.get(f"{platform.gateway_url}/openapi.json")).json()["paths"]
        return all(any(p.startswith(f"/api/{name}/") for p in paths) for name in ("billing", "provisioning", "notify"))

    await wait_for(merged_document_has_every_service, what="the merged OpenAPI document", within=60)
    requested: list[str] = []
    refused: list[str] = []

    async def only_the_gateway(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).netloc == gateway:
            await route.continue_()
        else:
            refused.append(url)
            await route.abort("blockedbyclient")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 2000})
            await page.route("**/*", only_the_gateway)
            await page.goto(f"{platform.gateway_url}/docs", wait_until="networkidle")
            # Operations of the gateway and of the services (merged document) are on the page.
            # The whole platform's document is large: on a busy machine Swagger UI takes a while to render it.
            await page.wait_for_selector(".opblock", timeout=60_000)
            title = await page.inner_text(".information-container .title")
            sections = await page.locator(".opblock-tag").all_inner_texts()
            screenshot = tmp_path / "docs.png"
            await page.screenshot(path=str(screenshot), full_page=False)
        finally:
            await browser.close()

    assert refused == [], f"/docs asked for outside resources: {refused}"
    assert f"{platform.gateway_url}/openapi.json" in requested
    assert "Abono" in title
    assert any(section.startswith("billing") for section in sections), sections
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one

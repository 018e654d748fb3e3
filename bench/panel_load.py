"""panel_load: the client panel's first page from a cold browser cache (issue 13 item 6: under 1 s on this machine).

The built app (`panel/dist`, `make panel`) is served by the gateway's own static route (`gateway.panel`: the same
headers and history fallback as in production) under uvicorn on loopback; Debian's chromium (Playwright,
executable_path) opens `/sign-in` in a fresh context each time, so nothing is cached, and reports the navigation
timing: DOMContentLoaded, the load event, and when the app has rendered its heading. The sign-in page is the first
page of a visitor without a session; it calls no API, so the figure is the panel's own weight (HTML, JS, CSS)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI
from playwright.async_api import async_playwright

from abono.testing import serve
from bench.common import Figure, percentile, say
from bench.options import Options
from gateway.panel.endpoints import install_panel

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "panel" / "dist"
CHROMIUM = "/usr/bin/chromium"
TARGET_MS = 1000.0

TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, bytes: nav.transferSize +
    performance.getEntriesByType("resource").reduce((sum, r) => sum + r.transferSize, 0)};
}"""


async def run(options: Options) -> list[Figure]:
    if not (DIST / "index.html").is_file():
        raise RuntimeError("panel/dist is not built: run `make panel` first")
    app = FastAPI()
    install_panel(app, DIST)
    loads = 5 if options.quick else 30
    rendered: list[float] = []
    dcl: list[float] = []
    load: list[float] = []
    transferred = 0.0
    async with serve(app) as url, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(loads):
                context = await browser.new_context(viewport={"width": 390, "height": 844})  # cold: fresh cache
                page = await context.new_page()
                started = time.perf_counter()
                await page.goto(f"{url}/sign-in")
                await page.locator("h1").wait_for()
                rendered.append((time.perf_counter() - started) * 1000)
                await page.wait_for_load_state("load")
                timing = await page.evaluate(TIMING)
                dcl.append(float(timing["dcl"]))
                load.append(float(timing["load"]))
                transferred = float(timing["bytes"])
                await context.close()
        finally:
            await browser.close()
    say(f"panel_load: {loads} cold loads, p50 rendered {percentile(rendered, 50):.0f} ms")
    common = {"loads": loads, "bytes_transferred": int(transferred)}
    return [
        Figure("panel_load", "first_page_rendered_p95", percentile(rendered, 95), "ms", None, TARGET_MS, "max",
               note="cold cache, /sign-in until the app's heading is on screen", extra=common),
        Figure("panel_load", "first_page_rendered_p50", percentile(rendered, 50), "ms", None, TARGET_MS, "max",
               extra=common),
        Figure("panel_load", "dom_content_loaded_p50", percentile(dcl, 50), "ms", None, None, "max", extra=common),
        Figure("panel_load", "load_event_p50", percentile(load, 50), "ms", None, None, "max", extra=common),
    ]

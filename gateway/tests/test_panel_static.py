"""Issue 13 item 1: the gateway serves the built panel at `/`: hashed assets cached for a year, `index.html` (never
cached) for every app route (history fallback), the API and operations paths untouched, and a page saying how to
build the panel when there is no build."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f2a1b.js"></script></head></html>'


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dist")
    (root / "assets").mkdir()
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-3f2a1b.js").write_text("console.log('panel')")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root.parent / "secret.txt").write_text("outside the build")
    return root


@pytest.fixture(scope="module")
async def panel(api, make_settings, dist: Path):
    from gateway.app import create_app

    async with api.serve(create_app(make_settings(panel_dir=dist))) as url, httpx.AsyncClient(base_url=url) as http:
        yield http


async def test_hashed_assets_are_cached_for_a_year(panel):
    asset = await panel.get("/assets/index-3f2a1b.js")
    assert asset.status_code == 200 and asset.text == "console.log('panel')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in asset.headers["content-type"]
    again = await panel.get("/assets/index-3f2a1b.js", headers={"If-None-Match": asset.headers["etag"]})
    assert again.status_code == 304
    assert (await panel.get("/assets/index-gone.js")).status_code == 404


@pytest.mark.parametrize("path", ["/", "/invoices/5b0c3f0e-7a3e-4a52-9d0b-111111111111", "/verify-email?token=abc",
                                  "/reset-password?token=x", "/servicios/nuevo"])
async def test_app_routes_get_the_index_never_cached(panel, path: str):
    page = await panel.get(path)
    assert page.status_code == 200 and page.text == INDEX
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-type"].startswith("text/html")


async def test_root_files_of_the_build_are_served_and_nothing_outside_it(panel):
    icon = await panel.get("/favicon.svg")
    assert icon.status_code == 200 and "svg" in icon.text
    escaped = await panel.get("/..%2Fsecret.txt")
    assert "outside the build" not in escaped.text


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/auth/nope", "/docs/nope", "/metrics/x", "/healthz/x",
                                  "/webhooks", "/openapi.json/x"])
async def test_api_and_operations_paths_are_never_the_app(panel, path: str):
    answer = await panel.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_api_and_operations_still_answer_beside_the_panel(panel):
    assert (await panel.get("/healthz")).json()["status"] == "ok"
    assert (await panel.get("/api/fake/things/7")).json() == {"id": 7, "name": "thing"}  # the proxy's fast path
    assert (await panel.get("/openapi.json")).status_code == 200
    assert (await panel.get("/api/auth/me")).status_code == 401


async def test_without_a_build_the_root_says_how_to_make_it(api, make_settings, tmp_path: Path):
    from gateway.app import create_app

    app = create_app(make_settings(panel_dir=tmp_path / "missing"))
    async with api.serve(app) as url, httpx.AsyncClient(base_url=url) as http:
        page = await http.get("/")
        assert page.status_code == 200 and "make panel" in page.text
        assert (await http.get("/invoices/1")).status_code == 200
        assert (await http.get("/assets/x.js")).status_code == 404
        assert (await http.get("/healthz")).status_code == 200

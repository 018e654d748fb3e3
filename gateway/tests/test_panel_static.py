"""Issue 13 item 1: the gateway serves the built panel at `/`: hashed assets cached for a year, `index.html` (never
cached) for every app route (history fallback), the API and operations paths untouched, and a page saying how to
build the panel when there is no build."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest

VENDOR = "export const messages = " + repr(["factura pagada"] * 200) + ";\n"
# The gateway never decodes what it serves: a stand-in is enough to see which file went out.
BROTLI_STANDIN = b"brotli bytes of vendor-9c8d7e.js"
INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f2a1b.js"></script></head></html>'


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dist")
    (root / "assets").mkdir()
    (root / "index.html").write_text(INDEX)
    (root / "index.html.gz").write_bytes(gzip.compress(INDEX.encode()))
    (root / "assets" / "index-3f2a1b.js").write_text("console.log('panel')")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    # What panel/precompress.ts writes at build time beside a text file worth compressing.
    (root / "assets" / "vendor-9c8d7e.js").write_text(VENDOR)
    (root / "assets" / "vendor-9c8d7e.js.gz").write_bytes(gzip.compress(VENDOR.encode()))
    (root / "assets" / "vendor-9c8d7e.js.br").write_bytes(BROTLI_STANDIN)
    (root / "assets" / "style-1a2b3c.css").write_text("body{color:#222}" * 100)
    (root / "assets" / "style-1a2b3c.css.gz").write_bytes(gzip.compress(b"body{color:#222}" * 100))
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


async def _raw(panel: httpx.AsyncClient, path: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent (httpx decodes nothing here)."""
    async with panel.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as answer:
        return answer, b"".join([chunk async for chunk in answer.aiter_raw()])


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [("gzip, deflate, br, zstd", "br"), ("br;q=1.0, gzip;q=0.8", "br"), ("gzip, deflate", "gzip"),
     ("br;q=0, gzip", "gzip"), ("*", "br"), ("identity", None), ("", None), ("gzip;q=0, br;q=0", None)],
)
async def test_precompressed_assets_follow_accept_encoding(panel, accept_encoding: str, coding: str | None):
    answer, body = await _raw(panel, "/assets/vendor-9c8d7e.js", accept_encoding)
    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]  # the original's type, not the archive's
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers.get("content-encoding") == coding
    assert int(answer.headers["content-length"]) == len(body)
    expected = {"br": BROTLI_STANDIN, "gzip": gzip.compress(VENDOR.encode()), None: VENDOR.encode()}[coding]
    assert body == expected if coding != "gzip" else gzip.decompress(body) == VENDOR.encode()


async def test_each_variant_has_its_own_etag_and_revalidates(panel):
    gz, _ = await _raw(panel, "/assets/style-1a2b3c.css", "gzip")
    plain, _ = await _raw(panel, "/assets/style-1a2b3c.css", "identity")
    brotli_asked, _ = await _raw(panel, "/assets/style-1a2b3c.css", "br")  # only gzip was built for it
    assert gz.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert "content-encoding" not in brotli_asked.headers and brotli_asked.headers["vary"] == "Accept-Encoding"
    assert gz.headers["etag"] != plain.headers["etag"]
    again = await panel.get(
        "/assets/style-1a2b3c.css", headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["etag"]}
    )
    assert again.status_code == 304 and again.headers["content-encoding"] == "gzip"
    assert again.headers["vary"] == "Accept-Encoding"


async def test_files_without_variants_are_sent_as_they_are(panel):
    answer, body = await _raw(panel, "/assets/index-3f2a1b.js", "gzip, br")
    assert "content-encoding" not in answer.headers and "vary" not in answer.headers
    assert body == b"console.log('panel')"


async def test_the_history_fallback_is_precompressed_too(panel):
    answer, body = await _raw(panel, "/invoices/5b0c3f0e", "gzip, deflate")
    assert answer.headers["content-encoding"] == "gzip" and answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["content-type"].startswith("text/html") and answer.headers["cache-control"] == "no-cache"
    assert gzip.decompress(body) == INDEX.encode()
    plain, body = await _raw(panel, "/", "identity")
    assert "content-encoding" not in plain.headers and body == INDEX.encode()

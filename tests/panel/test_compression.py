"""Issue 13 item 6: the built panel goes out compressed. `make panel` precompresses its text files (brotli and gzip,
panel/precompress.ts) and the gateway sends the variant the browser takes, with `Content-Encoding`, the original's
`Content-Type` and `Vary: Accept-Encoding`; the first page a cold browser loads is then a fraction of its size."""

from __future__ import annotations

import gzip
import re

import httpx

from tests.panel.conftest import PANEL_DIST

MIN_BYTES = 1024  # panel/precompress.ts: smaller files are not precompressed


async def _raw(gateway: httpx.AsyncClient, path: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    async with gateway.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as answer:
        return answer, b"".join([chunk async for chunk in answer.aiter_raw()])


async def test_the_built_panel_is_served_precompressed(gateway: httpx.AsyncClient) -> None:
    index = (PANEL_DIST / "index.html").read_text()
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', index)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), index
    for asset in assets:
        original = (PANEL_DIST / asset.lstrip("/")).read_bytes()
        if len(original) < MIN_BYTES:  # the bundler's tiny runtime: not worth compressing, served as it is
            plain, plain_body = await _raw(gateway, asset, "gzip, deflate, br, zstd")
            assert "content-encoding" not in plain.headers and plain_body == original
            continue
        brotli, brotli_body = await _raw(gateway, asset, "gzip, deflate, br, zstd")  # what chromium sends
        assert brotli.headers["content-encoding"] == "br", asset
        assert brotli_body == (PANEL_DIST / f"{asset.lstrip('/')}.br").read_bytes()
        assert len(brotli_body) < len(original) / 3, (asset, len(brotli_body), len(original))
        zipped, zipped_body = await _raw(gateway, asset, "gzip")
        assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped_body) == original
        plain, plain_body = await _raw(gateway, asset, "identity")
        assert "content-encoding" not in plain.headers and plain_body == original
        for answer in (brotli, zipped, plain):
            assert answer.headers["vary"] == "Accept-Encoding"
            assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert answer.headers["content-type"].split(";")[0] in (
                "text/javascript",
                "application/javascript",
                "text/css",
            )

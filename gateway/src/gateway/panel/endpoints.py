"""The built panel (`panel/dist`, made by `make panel`) on the API's origin.

- `/assets/*`: Vite's content-hashed files, cached for a year (`immutable`): a new build has new names.
- any other GET outside the API and operations paths: a file of the build's root (`favicon.svg`...) if there is
  one, else `index.html` (history fallback: `/invoices/<id>`, `/verify-email?token=...` are the app's routes),
  both with `Cache-Control: no-cache`, so a deploy is seen at the next load.
- compression: the build writes `<file>.br` and `<file>.gz` beside each text file worth it (panel/precompress.ts,
  at build time, so no CPU is spent per request); a request whose `Accept-Encoding` takes one gets it with
  `Content-Encoding` and the original's `Content-Type`, and every file that has such variants answers
  `Vary: Accept-Encoding`, so a shared cache keeps the variants apart.
- no build at all: a short page saying how to make it, instead of a crash or a bare 404.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import Headers
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from abono.errors import NotFound

ASSETS_CACHE = "public, max-age=31536000, immutable"
# First path segments that are never the app's: an unknown path there is a 404, not the app's index.
NOT_THE_PANEL = frozenset({"api", "docs", "redoc", "openapi.json", "asyncapi.json", "healthz", "readyz", "metrics",
                           "webhooks", "whoami", "internal", "assets"})
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Abono</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Abono</h1>
<p>The client panel is not built yet. Run <code>make panel</code> (or <code>make run</code>, which builds it), then
reload this page.</p>
<p>The API is up: <a href="/docs">/docs</a>.</p>
</body></html>
"""


# Precompressed variants by preference: brotli is smaller, gzip is what every client takes.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def accepted_encodings(header: str | None) -> set[str]:
    """The codings an `Accept-Encoding` header takes (RFC 9110 §12.5.3): `q=0` refuses one, `*` takes any."""
    taken: set[str] = set()
    refused: set[str] = set()
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        (taken if q > 0 else refused).add(name)
    if "*" in taken:
        taken |= {name for name, _ in ENCODINGS}
    return taken - refused


def compressed_variant(path: Path, header: str | None) -> tuple[Path, str] | None:
    """The best precompressed file of `path` the client takes, and its coding; None for the identity."""
    accepted = accepted_encodings(header)
    for coding, suffix in ENCODINGS:
        variant = path.with_name(path.name + suffix)
        if coding in accepted and variant.is_file():
            return variant, coding
    return None


def has_variants(path: Path) -> bool:
    return any(path.with_name(path.name + suffix).is_file() for _, suffix in ENCODINGS)


def _media_type(path: Path) -> str:
    media_type, _ = mimetypes.guess_type(path.name)
    return media_type or "application/octet-stream"


class ImmutableAssets(StaticFiles):
    """StaticFiles whose answers (200 and 304) carry the long cache header of hashed assets, served precompressed
    when the client takes it; no build: 404s."""

    async def check_config(self) -> None:
        if _is_dir(self.directory):
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] in ("GET", "HEAD") and not path.endswith((".br", ".gz")):
            wanted, stat_result = self.lookup_path(path)
            if stat_result is not None:
                found = compressed_variant(Path(wanted), Headers(scope=scope).get("accept-encoding"))
                if found is not None:
                    variant, coding = found
                    response = self.file_response(variant, os.stat(variant), scope)
                    if response.status_code == 200:
                        response.headers["Content-Type"] = _media_type(Path(wanted))
                    response.headers["Content-Encoding"] = coding
                    response.headers["Vary"] = "Accept-Encoding"
                    return response
                response = await super().get_response(path, scope)
                if has_variants(Path(wanted)):
                    response.headers["Vary"] = "Accept-Encoding"
                return response
        return await super().get_response(path, scope)

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = ASSETS_CACHE
        return response


# A stat of a local file takes microseconds: not worth a thread hop on every page load.
def _is_dir(directory: str | os.PathLike[str] | None) -> bool:
    return directory is not None and os.path.isdir(directory)


def _build_file(directory: Path, path: str) -> Path | None:
    """The build's own file at `path` (inside the build only), else its index.html; None without a build."""
    index = directory / "index.html"
    if not index.is_file():
        return None
    wanted = (directory / path).resolve() if path else index
    if wanted.is_relative_to(directory) and wanted.is_file():
        return wanted
    return index


def install_panel(app: FastAPI, directory: Path) -> None:
    """Mount the assets and the history fallback; call it after every other route, since it catches the rest."""
    directory = directory.resolve()
    app.mount("/assets", ImmutableAssets(directory=directory / "assets", check_dir=False), name="panel-assets")

    async def panel(request: Request, path: str) -> Response:
        if path.split("/", 1)[0] in NOT_THE_PANEL:
            raise NotFound("No such route.")
        found = _build_file(directory, path)
        if found is None:
            return HTMLResponse(NOT_BUILT, headers={"Cache-Control": "no-cache"})
        headers = {"Cache-Control": "no-cache"}
        if has_variants(found):
            headers["Vary"] = "Accept-Encoding"
        variant = compressed_variant(found, request.headers.get("accept-encoding"))
        if variant is not None:
            headers["Content-Encoding"] = variant[1]
            return FileResponse(variant[0], media_type=_media_type(found), headers=headers)
        return FileResponse(found, headers=headers)

    app.add_api_route("/{path:path}", panel, methods=["GET"], include_in_schema=False)

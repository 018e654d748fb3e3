"""The built panel (`panel/dist`, made by `make panel`) on the API's origin.

- `/assets/*`: Vite's content-hashed files, cached for a year (`immutable`): a new build has new names.
- any other GET outside the API and operations paths: a file of the build's root (`favicon.svg`...) if there is
  one, else `index.html` (history fallback: `/invoices/<id>`, `/verify-email?token=...` are the app's routes),
  both with `Cache-Control: no-cache`, so a deploy is seen at the next load.
- no build at all: a short page saying how to make it, instead of a crash or a bare 404.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
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


class ImmutableAssets(StaticFiles):
    """StaticFiles whose answers (200 and 304) carry the long cache header of hashed assets; no build: 404s."""

    async def check_config(self) -> None:
        if _is_dir(self.directory):
            await super().check_config()

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
        return FileResponse(found, headers={"Cache-Control": "no-cache"})

    app.add_api_route("/{path:path}", panel, methods=["GET"], include_in_schema=False)

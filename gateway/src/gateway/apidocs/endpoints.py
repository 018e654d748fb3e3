from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from abono.errors import NotFound
from gateway.apidocs.merge import errors_as_problems, merge
from gateway.apidocs.service import SchemaCache
from gateway.config import GatewaySettings
from gateway.proxy.upstream import upstream_of

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi(request: Request) -> JSONResponse:
    """The gateway's API plus every reachable service's, under `/api/<service>`."""
    app = request.app
    settings: GatewaySettings = app.state.settings
    cache: SchemaCache = app.state.schema_cache
    services = await cache.get_all(
        http=upstream_of(app),
        service_urls=settings.service_urls,
        timeout_seconds=settings.openapi_fetch_timeout_seconds,
        ttl=settings.openapi_cache_seconds,
    )
    own: dict[str, Any] = errors_as_problems(app.openapi())
    return JSONResponse(merge(own, services))


# Swagger UI's files as packaged by fastapi-offline: /docs loads nothing from outside the installation.
_ASSETS = files("fastapi_offline") / "static"
_ASSET_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}
ASSETS_PATH = "/docs/assets"


@cache
def _asset(name: str) -> bytes:
    return (_ASSETS / name).read_bytes()


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Abono API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        # No validator badge: Swagger UI would send the document to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
    )


@router.get(f"{ASSETS_PATH}/{{name}}")
async def docs_asset(name: str) -> Response:
    media_type = _ASSET_TYPES.get(name)
    if media_type is None:
        raise NotFound(f"No documentation asset named {name!r}.")
    return Response(_asset(name), media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})

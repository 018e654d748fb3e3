from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

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


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Abono API")

import posixpath
from functools import lru_cache
from urllib.parse import unquote

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.routing import Match

from abono.errors import NotFound
from gateway.deps import Settings
from gateway.errors import problem_responses
from gateway.proxy.forwarding import forward

router = APIRouter()
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
# Operations routes without authentication (Prometheus scrapes each service directly): never from outside.
# `/internal/*` does pass: services authenticate those themselves (the test clock is admin-only).
PRIVATE_ROUTES = ("/metrics",)


@lru_cache(maxsize=4096)  # every proxied request asks it (issue 20): a pure function of the path
def is_private(upstream_path: str) -> bool:
    """Whether the path, as the service will decode and route it, is one of the services' private routes."""
    path = "/" + posixpath.normpath(unquote(upstream_path)).lstrip("/")
    return any(path == route or path.startswith(f"{route}/") for route in PRIVATE_ROUTES)


def _base_url(request: Request, settings: Settings, service: str) -> str:
    try:
        return settings.service_urls[service]
    except KeyError:
        allowed = _methods_routed_for(request)
        if allowed:  # one of the gateway's own paths (`/api/auth/login`...) with a method it does not take
            raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))}) from None
        raise NotFound("No such route.") from None


def _methods_routed_for(request: Request) -> set[str]:
    """The methods the gateway's own routes take at this path, asked of the router as it would route them (the
    proxy's catch-alls and the panel's history fallback, which take any path, left out)."""
    own = [
        route
        for route in request.app.router.routes
        if getattr(route, "original_router", None) is not router and getattr(route, "name", None) != "panel"
    ]
    return {
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in own)
    }


def _raw_path(request: Request) -> bytes:
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    return raw


@router.api_route("/api/{service}", methods=METHODS, include_in_schema=False, responses=problem_responses(404))
@router.api_route(
    "/api/{service}/{path:path}", methods=METHODS, include_in_schema=False, responses=problem_responses(404, 502, 504)
)
async def proxy(service: str, request: Request, settings: Settings) -> Response:
    """`/api/<service>/<path>?<query>` → `<service url>/<path>?<query>`."""
    base_url = _base_url(request, settings, service)
    # From the raw path, not the decoded one: `%2F` in a path segment must reach the service still encoded.
    rest = _raw_path(request).split(b"/", 3)
    upstream_path = "/" + (rest[3].decode("latin-1") if len(rest) > 3 else "")
    if is_private(upstream_path):
        raise NotFound("No such route.")
    return await forward(request, service=service, base_url=base_url, upstream_path=upstream_path)


@router.get("/r/{code}", include_in_schema=False)
async def referral_link(code: str, request: Request, settings: Settings) -> Response:
    """F-1: the short referral link an affiliate shares, `/r/<code>` → the affiliate service's `/r/<code>` (it records
    the visit, sets the first-party cookie on this origin and redirects to the panel's sign-up)."""
    base_url = _base_url(request, settings, "affiliate")
    return await forward(
        request, service="affiliate", base_url=base_url, upstream_path=_raw_path(request).decode("latin-1")
    )


@router.api_route("/webhooks/{provider}", methods=["POST", "GET", "PUT"], include_in_schema=False)
async def webhook(provider: str, request: Request, settings: Settings) -> Response:
    """Payment providers' notifications, untouched (their signatures cover the raw body and query) → billing."""
    base_url = _base_url(request, settings, "billing")
    return await forward(
        request, service="billing", base_url=base_url, upstream_path=_raw_path(request).decode("latin-1")
    )

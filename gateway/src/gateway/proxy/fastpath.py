"""The proxy's fast path: `/api/<service>/...` handled before any middleware, routing and dependencies.

Every proxied request used to go through two middlewares, a scan of every gateway route before the catch-all
`/api/{service}/{path}`, dependency solving and the endpoint: about half of the gateway's CPU per request
(bench/README.md). This ASGI layer, wrapped around the app's whole middleware stack (`install`), recognises a proxied
request from its first path segment and calls the same `forward()` directly, doing itself what the skipped layers did
for it: the request id (taken or made, bound to the logs, returned), the security headers an answer lacks
(`abono.guards.security_headers`, as `SecurityHeaders` does for everything else), the request latency metric under
the proxy's route template, problem+json for 502/504 through the app's own handler, and for an unexpected error a
problem+json 500 on a connection that stays open (cut only once the answer started, as `abono.edge` does). Since
issue 20 it sits outside Starlette's `ServerErrorMiddleware`, FastAPI's telemetry and body-limit middlewares,
`SecurityHeaders` and `MetricsGuard` too, which wrapped each proxied request and its `send` five times (none of them
had anything to do for a proxied request: `/metrics` is never proxied, the body limits are `forward`'s). Anything else,
including the gateway's own `/api/auth` and `/api/test` routes, unknown services and the services' private routes,
takes the ordinary path unchanged.
"""

from __future__ import annotations

import inspect
import time
import uuid

import structlog
from fastapi import FastAPI
from prometheus_client import Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from abono.errors import DomainError
from abono.guards import security_headers, unhandled_problem
from abono.logging import REQUEST_ID_HEADER
from abono.metrics import ServiceMetrics
from gateway.config import GatewaySettings
from gateway.proxy.endpoints import is_private
from gateway.proxy.forwarding import forward

# The template the ordinary path records for the same requests (the proxy's route), so dashboards see one series.
ROUTE = "/api/{service}/{path:path}"
_REQUEST_ID = REQUEST_ID_HEADER.lower().encode()
_CACHED_SERIES = 64


def own_api_prefixes(app: FastAPI) -> frozenset[str]:
    """First segments under `/api/` that the gateway routes itself (`auth`, `test`, ...): never proxied."""
    prefixes = set()
    for route in app.router.routes:
        parts = getattr(route, "path", "").split("/")
        if len(parts) > 2 and parts[1] == "api" and not parts[2].startswith("{"):
            prefixes.add(parts[2])
    return frozenset(prefixes)


def install(gateway: FastAPI, *, hsts: bool) -> None:
    """Wrap `ProxyFastPath` around the gateway's whole middleware stack (Starlette builds it on the first request)."""
    build = gateway.build_middleware_stack

    def build_with_fast_path() -> ASGIApp:
        return ProxyFastPath(build(), gateway=gateway, hsts=hsts)

    gateway.build_middleware_stack = build_with_fast_path  # type: ignore[method-assign]  # the app's own instance


class ProxyFastPath:
    """Outermost layer of the gateway app: around its middleware stack, inside `FastAPI.__call__` only."""

    def __init__(self, app: ASGIApp, gateway: FastAPI, *, hsts: bool) -> None:
        self.app = app
        self.gateway = gateway
        self.hsts = hsts
        self._own: frozenset[str] | None = None  # read on first use: routers are all included by then
        self._durations: dict[tuple[str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        service = self._service(scope)
        if service is None:
            await self.app(scope, receive, send)
            return
        scope["app"] = self.gateway  # as Starlette's `__call__` does: `forward` reads the app from the scope
        await self._proxy(scope, receive, send, service)

    def _service(self, scope: Scope) -> str | None:
        """The service a request goes to on the fast path, or None for the ordinary path."""
        path: str = scope["path"]
        if not path.startswith("/api/"):
            return None
        service, slash, _ = path[5:].partition("/")
        if not slash:
            return None  # `/api/<service>` alone: rare, the ordinary route handles it
        if self._own is None:
            self._own = own_api_prefixes(self.gateway)
        settings: GatewaySettings = self.gateway.state.settings
        if service in self._own or service not in settings.service_urls:
            return None
        return service

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, service: str) -> None:
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        # As the ordinary route does: from the raw path, so `%2F` in a segment reaches the service still encoded.
        rest = raw.split(b"/", 3)
        upstream_path = "/" + (rest[3].decode("latin-1") if len(rest) > 3 else "")
        if is_private(upstream_path):
            await self.app(scope, receive, send)  # the ordinary path answers its 404
            return
        started = time.perf_counter()
        request_id = _header(scope, _REQUEST_ID) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started_answer = False
        hsts = self.hsts

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_answer
            if message["type"] == "http.response.start":
                status, started_answer = message["status"], True
                headers = security_headers(list(message.get("headers", ())), hsts=hsts)
                message["headers"] = [*headers, (_REQUEST_ID, request_id.encode())]
            await send(message)

        request = Request(scope, receive)
        # bind/reset rather than `bound_contextvars`, whose context manager cost ~3 % of a proxied request (issue 20).
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            settings: GatewaySettings = self.gateway.state.settings
            try:
                try:
                    response = await forward(
                        request, service=service, base_url=settings.service_urls[service], upstream_path=upstream_path
                    )
                except DomainError as exc:  # 502 / 504, as problem+json by the app's own handler
                    handled = self.gateway.exception_handlers[DomainError](request, exc)
                    response = await handled if inspect.isawaitable(handled) else handled
                await response(scope, receive, send_with_id)
            except Exception as exc:
                if started_answer:
                    raise  # the status is already out: only a cut connection says the body is incomplete
                await unhandled_problem(exc, scope)(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**bound)
            self._duration(scope["method"], status).observe(time.perf_counter() - started)

    def _duration(self, method: str, status: int) -> Histogram:
        """The request latency series of this method and status (kept: `labels()` is a lock and a key each time)."""
        key = (method, status)
        child = self._durations.get(key)
        if child is None:
            metrics: ServiceMetrics = self.gateway.state.metrics
            child = metrics.http_request_duration.labels(method, ROUTE, str(status))
            if len(self._durations) < _CACHED_SERIES:  # methods are the client's: keep a bounded number
                self._durations[key] = child
        return child


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")[:128]
            return text
    return None

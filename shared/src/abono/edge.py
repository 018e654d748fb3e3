"""`ServiceEdge`: what every service does around each HTTP request, in one pure-ASGI middleware (issue 20).

It used to be five middlewares, each with its own coroutine frame and `send` wrapper per request (RequestId,
SecurityHeaders, CatchUnhandled, Metrics, BodyLimit: ~40 % of billing's CPU for "my invoices" together with
FastAPI's routing, py-spy). The behaviours are the same, in the same order from the outside in:

1. the request id: taken from `X-Request-ID` (the gateway sets it) or made; bound to the logs, kept in
   `scope["state"]["request_id"]` and returned on the response (`abono.logging`);
2. the security headers every answer carries where the app set none (`abono.guards.security_headers`);
3. an unexpected exception becomes a problem+json 500 on a connection that stays open, or 422 for text PostgreSQL
   cannot store (`abono.guards.unhandled_problem`); after the response started it still cuts the connection;
4. the request latency metric under the matched route's template, with the status the app answered (500 when it
   raised before answering);
5. at most `max_body_bytes` of request body: a larger `Content-Length` is answered 413 at once, a chunked body is
   counted as the app reads it (`PayloadTooLarge`, the app's 413).
"""

from __future__ import annotations

import time
import uuid

import structlog
from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from abono.errors import PayloadTooLarge, too_large_problem
from abono.guards import content_length, security_headers, unhandled_problem
from abono.logging import REQUEST_ID_HEADER, request_id_of
from abono.metrics import ServiceMetrics, route_of

_REQUEST_ID = REQUEST_ID_HEADER.encode()
# Labelled latency series kept per (method, route, status); past this many they are looked up each time.
_CACHED_SERIES = 512


class ServiceEdge:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, max_body_bytes: int, hsts: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.max_bytes = max_body_bytes
        self.hsts = hsts
        self._series: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        id_header = (_REQUEST_ID, request_id.encode())
        hsts = self.hsts
        status = 0  # the app's answer; 0 until it starts one

        async def send_out(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*security_headers(list(message.get("headers", ())), hsts=hsts), id_header]
            await send(message)

        async def send_app(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send_out(message)

        limit = self.max_bytes
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            try:
                declared = content_length(scope)
                if declared is not None and declared > limit:
                    # Connection: close, so the unread body is not taken for the next request.
                    await too_large_problem(limit, scope.get("path"), close=True)(scope, receive, send_app)
                else:
                    await self.app(scope, counted, send_app)
            finally:
                self._series_of(scope, status or 500).observe(time.perf_counter() - started)
        except Exception as exc:
            if status:
                raise  # the status is already out: only a cut connection says the body is incomplete
            await unhandled_problem(exc, scope)(scope, receive, send_out)
        finally:
            structlog.contextvars.reset_contextvars(**bound)

    def _series_of(self, scope: Scope, status: int) -> Histogram:
        method: str = scope["method"]
        route = route_of(scope)
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self.metrics.http_request_duration.labels(method, route, str(status))
            if len(self._series) < _CACHED_SERIES:  # methods are the client's: a bounded number kept
                self._series[key] = series
        return series

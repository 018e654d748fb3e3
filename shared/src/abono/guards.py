"""ASGI guards every service (and the gateway) runs: a 500 that leaves the connection usable, and a request body
size limit answered with 413 before the body is read to the end (issue 11).

Why the 500 guard: Starlette's ServerErrorMiddleware sends the 500 and then re-raises, and uvicorn, seeing an
exception after the response started, closes the socket without a `Connection: close`. A proxy that pooled the
connection (the gateway's aiohttp session) reuses the dead socket and its next request, from anyone, failed with
502. Caught here, inside ServerErrorMiddleware, the exception never reaches uvicorn: the 500 is an ordinary answer
on a connection that stays open. Only an error after the response started still cuts it: nothing else can tell
the client that the body it is reading is incomplete.
"""

from __future__ import annotations

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from abono.errors import UNSTORABLE_TEXT, PayloadTooLarge, problem, too_large_problem, unstorable_text

log = structlog.get_logger("abono.guards")


class CatchUnhandled:
    """An unexpected exception becomes a problem+json 500 on a connection that stays open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise  # the status is already out: only a cut connection says the body is incomplete
            if unstorable_text(exc):  # a NUL or a lone surrogate in a client's text (issue 11, schemathesis)
                response = problem(
                    422, "Invalid input", UNSTORABLE_TEXT, code="invalid-input", instance=scope.get("path")
                )
                await response(scope, receive, send)
                return
            log.exception("unhandled_error", path=scope.get("path"))
            response = problem(500, "Internal server error", code="internal", instance=scope.get("path"))
            await response(scope, receive, send)


def content_length(scope: Scope) -> int | None:
    """The declared `Content-Length`, or None when absent or unreadable (then the body is counted as it comes)."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """At most `max_bytes` of request body: a larger `Content-Length` is answered 413 at once, without reading the
    body; a body without one (chunked) is counted as the app reads it and refused with 413 when it passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = content_length(scope)
        if declared is not None and declared > limit:
            # Connection: close, so the unread body is not taken for the next request.
            await too_large_problem(limit, scope.get("path"), close=True)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        await self.app(scope, counted, send)


# A page may load scripts, styles, images and fonts from its own origin only; no inline script, no plugin, no
# framing (clickjacking), forms only to itself. The panel is built to fit it (same-origin bundles, no inline script).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# An API answer is data, never a page: nothing may run in it or frame it.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Headers every answer carries, added only where the app did not set its own (so it may run twice):
    - `X-Content-Type-Options: nosniff`;
    - `Cache-Control: no-store` (API answers carry tokens and personal data; pages and assets set their own);
    - a Content-Security-Policy with `frame-ancestors 'none'` (strict `PAGE_CSP` for HTML, `API_CSP` otherwise) and
      `X-Frame-Options: DENY` for older browsers;
    - `Strict-Transport-Security` outside development (`hsts`)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self.stamp(list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, stamped)

    def stamp(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        html = any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)
        wanted = [
            (b"x-content-type-options", b"nosniff"),
            (b"cache-control", b"no-store"),
            (b"content-security-policy", (PAGE_CSP if html else API_CSP).encode()),
            (b"x-frame-options", b"DENY"),
        ]
        if self.hsts:
            wanted.append((b"strict-transport-security", HSTS.encode()))
        return headers + [(name, value) for name, value in wanted if name not in present]

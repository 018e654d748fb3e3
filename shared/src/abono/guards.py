"""What every service (and the gateway) guards its answers with: a 500 that leaves the connection usable, a request
body size limit answered with 413 before the body is read to the end (issue 11), and the security headers. The
services run the first two (and the headers) in `abono.edge.ServiceEdge`; the gateway adds `SecurityHeaders` outside
its proxy's fast path.

Why the 500 guard: Starlette's ServerErrorMiddleware sends the 500 and then re-raises, and uvicorn, seeing an
exception after the response started, closes the socket without a `Connection: close`. A proxy that pooled the
connection (the gateway's aiohttp session) reuses the dead socket and its next request, from anyone, failed with
502. Caught here, inside ServerErrorMiddleware, the exception never reaches uvicorn: the 500 is an ordinary answer
on a connection that stays open. Only an error after the response started still cuts it: nothing else can tell
the client that the body it is reading is incomplete.
"""

from __future__ import annotations

import structlog
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from abono.errors import UNSTORABLE_TEXT, problem, unstorable_text

log = structlog.get_logger("abono.guards")


def unhandled_problem(exc: Exception, scope: Scope) -> Response:
    """The answer to an exception the app did not handle, called in its `except` block (the 500 is logged with it):
    problem+json 500, or 422 for text PostgreSQL cannot store (a NUL or a lone surrogate: issue 11, schemathesis)."""
    if unstorable_text(exc):
        return problem(422, "Invalid input", UNSTORABLE_TEXT, code="invalid-input", instance=scope.get("path"))
    log.exception("unhandled_error", path=scope.get("path"))
    return problem(500, "Internal server error", code="internal", instance=scope.get("path"))


def content_length(scope: Scope) -> int | None:
    """The declared `Content-Length`, or None when absent or unreadable (then the body is counted as it comes)."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


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
        return security_headers(headers, hsts=self.hsts)


def _wanted(*, html: bool, hsts: bool) -> tuple[tuple[bytes, bytes], ...]:
    wanted = [
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
        (b"content-security-policy", (PAGE_CSP if html else API_CSP).encode()),
        (b"x-frame-options", b"DENY"),
    ]
    if hsts:
        wanted.append((b"strict-transport-security", HSTS.encode()))
    return tuple(wanted)


_WANTED = {(html, hsts): _wanted(html=html, hsts=hsts) for html in (False, True) for hsts in (False, True)}


def security_headers(headers: list[tuple[bytes, bytes]], *, hsts: bool) -> list[tuple[bytes, bytes]]:
    """`headers` plus those of `SecurityHeaders` that are not among them."""
    present = {name.lower() for name, _ in headers}
    html = any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)
    return headers + [(name, value) for name, value in _WANTED[html, hsts] if name not in present]

"""The browser session's two cookies (issue 13): the refresh token, and the CSRF token the page echoes back.

- `abono_refresh`: the raw refresh token; `HttpOnly` (no script reads it), `SameSite=Strict`, sent only to
  `/api/auth/session*`, `Secure` outside development and test (plain http://127.0.0.1 there).
- `abono_csrf`: a random value the page reads (`document.cookie`) and sends back as `X-CSRF-Token` on every
  cookie-authenticated call (double submit). Another site can make the browser send cookies (SameSite=Strict
  already stops most of that) but can neither read this cookie nor set the header.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from gateway.config import GatewaySettings

REFRESH_COOKIE = "abono_refresh"
CSRF_COOKIE = "abono_csrf"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_PATH = "/api/auth/session"


def _secure(settings: GatewaySettings) -> bool:
    return settings.platform.environment not in ("development", "test")


def set_session_cookies(
    response: Response, *, settings: GatewaySettings, refresh_token: str, max_age: int, csrf: str | None = None
) -> str:
    """Set both cookies (a new CSRF value unless `csrf` is given); returns the CSRF value."""
    secure = _secure(settings)
    csrf = csrf or secrets.token_urlsafe(32)
    response.set_cookie(
        REFRESH_COOKIE, refresh_token, max_age=max_age, path=REFRESH_PATH, secure=secure, httponly=True,
        samesite="strict",
    )
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, path="/", secure=secure, httponly=False, samesite="strict")
    return csrf


def clear_session_cookies(response: Response, *, settings: GatewaySettings) -> None:
    secure = _secure(settings)
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, secure=secure, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, httponly=False, samesite="strict")


def csrf_ok(request: Request) -> bool:
    """The `X-CSRF-Token` header is present and equals the `abono_csrf` cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    header = request.headers.get(CSRF_HEADER)
    if not cookie or not header or len(header) > 128:
        return False
    return secrets.compare_digest(cookie.encode(), header.encode())

"""Browser sessions (issue 13): the same login, rotation and revocation as `/api/auth/login|refresh|logout`, with
the refresh token in an `HttpOnly` cookie (sessions/cookies.py) instead of the JSON body, and CSRF protection
(`X-CSRF-Token` = the `abono_csrf` cookie) on the calls the cookie authenticates.

A page keeps the access token in memory only; when it expires (or after a reload) it calls
`POST /api/auth/session/refresh`. Two tabs share the cookie and may refresh at the very same moment: the second
presents the token the first has just rotated. Within `GATEWAY_REFRESH_REUSE_GRACE_SECONDS` of that rotation it gets
a sibling token instead of revoking the family (sessions/service.py); later it is a reuse (RFC 9700) as before.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from abono.db import SessionDep
from abono.errors import problem
from gateway.config import GatewaySettings
from gateway.deps import ClientIp, CurrentUser, Now, Settings, Signer
from gateway.errors import problem_responses
from gateway.sessions import service
from gateway.sessions.cookies import (
    CSRF_COOKIE,
    CSRF_HEADER,
    REFRESH_COOKIE,
    clear_session_cookies,
    csrf_ok,
    set_session_cookies,
)
from gateway.sessions.ending import end_all_sessions
from gateway.sessions.endpoints import REFRESH_REFUSED, checked_login, rotate_refresh_token
from gateway.sessions.schemas import AccessToken, LoginRequest, TokenPair

router = APIRouter(prefix="/api/auth", tags=["auth"])
CSRF_REFUSED = f"Missing or wrong {CSRF_HEADER} header: it must equal the {CSRF_COOKIE} cookie."
_CSRF_SCHEMA = {"type": "string", "maxLength": 128}
_CSRF_PARAM = {"parameters": [{"name": CSRF_HEADER, "in": "header", "required": True, "schema": _CSRF_SCHEMA}]}


def _answer(pair: TokenPair, settings: GatewaySettings, *, csrf: str | None = None) -> JSONResponse:
    body = AccessToken(access_token=pair.access_token, expires_in=pair.expires_in)
    response = JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store"})
    set_session_cookies(
        response, settings=settings, refresh_token=pair.refresh_token, max_age=pair.refresh_expires_in, csrf=csrf
    )
    return response


def _refused(request: Request, settings: GatewaySettings, detail: str) -> JSONResponse:
    """401 problem+json that also drops the cookies, so the page stops presenting a dead session."""
    response = problem(401, "Authentication required", detail, code="unauthorized", instance=request.url.path)
    clear_session_cookies(response, settings=settings)
    return response


@router.post(
    "/session",
    summary="Log in from the panel: the access token in the body, the refresh token in an HttpOnly cookie",
    response_model=AccessToken,
    responses=problem_responses(401, 403, 422, 429),
)
async def open_session(
    data: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: Settings,
    signer: Signer,
    now: Now,
    ip: ClientIp,
) -> JSONResponse:
    """For the web panel, same credentials as `POST /api/auth/login`. The access token comes in the body; the refresh
    token is set as an HttpOnly cookie, with a CSRF cookie whose value later calls send as `X-CSRF-Token`. Same
    refusals as login: 401 bad credentials or two-factor code, 403 `account-closed`, 429 too many attempts.
    """
    pair = await checked_login(
        request=request, session=session, settings=settings, signer=signer, now=now, ip=ip, data=data
    )
    return _answer(pair, settings)


@router.post(
    "/session/refresh",
    summary=f"A new access token from the refresh cookie (rotated); needs {CSRF_HEADER}",
    response_model=AccessToken,
    responses=problem_responses(401),
    openapi_extra=_CSRF_PARAM,
)
async def refresh_session(request: Request, settings: Settings, signer: Signer, now: Now) -> JSONResponse:
    """For the web panel: call it when the access token expires or after a page reload. Needs the session cookies and
    an `X-CSRF-Token` header equal to the CSRF cookie; returns a new access token and rotates the refresh cookie.
    401 (and the cookies are cleared) when the header or the session is missing or no longer valid.
    """
    if not csrf_ok(request):
        return _refused(request, settings, CSRF_REFUSED)
    raw = request.cookies.get(REFRESH_COOKIE)
    if not raw or len(raw) > 128:
        return _refused(request, settings, "There is no session cookie; log in again.")
    grace = timedelta(seconds=settings.refresh_reuse_grace_seconds)
    outcome = await rotate_refresh_token(
        request=request, settings=settings, signer=signer, now=now, raw_token=raw, reuse_grace=grace
    )
    if isinstance(outcome, service.RefreshRefused):
        return _refused(request, settings, REFRESH_REFUSED)
    return _answer(outcome, settings, csrf=request.cookies[CSRF_COOKIE])


@router.delete(
    "/session",
    status_code=status.HTTP_204_NO_CONTENT,
    summary=f"Log out of this browser: its session ends, the cookies are cleared; needs {CSRF_HEADER}",
    responses=problem_responses(401),
    openapi_extra=_CSRF_PARAM,
)
async def close_session(request: Request, session: SessionDep, settings: Settings, now: Now) -> Response:
    """For the web panel: ends the session of the refresh cookie and clears the cookies (204). Needs the `X-CSRF-Token`
    header equal to the CSRF cookie, otherwise 401. Access tokens already issued stay valid until they expire.
    """
    if not csrf_ok(request):
        return _refused(request, settings, CSRF_REFUSED)
    raw = request.cookies.get(REFRESH_COOKIE)
    if raw and len(raw) <= 128:
        await service.logout(session=session, raw_token=raw, now=now)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings=settings)
    return response


@router.post(
    "/sessions/revoke-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out everywhere: every session of my account ends, its access tokens refused by every service",
    responses=problem_responses(401, 403),
)
async def revoke_all_sessions(user: CurrentUser, session: SessionDep, settings: Settings, now: Now) -> Response:
    """Any signed-in user: ends every session of your account on every device and clears this browser's cookies (204).
    Use it after a lost device or a suspected leak: the refresh tokens are revoked at once and every service refuses
    the access tokens already issued within seconds (`SessionsEnded`).
    """
    await end_all_sessions(session=session, user_id=user.id, now=now, cause="signed_out_everywhere")
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings=settings)
    return response

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import TokenSigner
from abono.db import SessionDep, unit_of_work
from abono.errors import Unauthorized
from gateway.config import GatewaySettings
from gateway.deps import ClientIp, Now, Settings, Signer
from gateway.errors import problem_responses
from gateway.ratelimit.service import enforce, private_key
from gateway.sessions import service
from gateway.sessions.schemas import LoginRequest, RefreshRequest, TokenPair

router = APIRouter(prefix="/api/auth", tags=["auth"])
REFRESH_REFUSED = "The refresh token is not valid (unknown, used, revoked or expired); log in again."


@router.post(
    "/login",
    summary="Log in: an access token and a refresh token",
    description="The access token goes in `Authorization: Bearer <token>`; the refresh token gets a new pair from "
    "`POST /api/auth/refresh`. A closed account is refused with 403 `account-closed`; a staff account with two-factor "
    "authentication needs `totp_code` too (401 `totp-required`, or `totp-invalid` for a wrong code).",
    responses=problem_responses(401, 403, 422, 429),
)
async def login(
    data: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: Settings,
    signer: Signer,
    now: Now,
    ip: ClientIp,
) -> TokenPair:
    return await checked_login(
        request=request, session=session, settings=settings, signer=signer, now=now, ip=ip, data=data
    )


async def checked_login(
    *,
    request: Request,
    session: AsyncSession,
    settings: GatewaySettings,
    signer: TokenSigner,
    now: datetime,
    ip: str,
    data: LoginRequest,
) -> TokenPair:
    """A login under the login rate limits (per IP and e-mail, per IP): the JSON and the browser login share it."""
    await enforce(
        sessionmaker=request.app.state.sessionmaker,
        now=now,
        checks=[
            (f"login:{ip}:{private_key(data.email)}", settings.login_rate_limit),
            (f"login:{ip}", settings.login_ip_rate_limit),
        ],
    )
    return await service.login(
        session=session,
        email=data.email,
        password=data.password,
        now=now,
        signer=signer,
        refresh_ttl=timedelta(days=settings.refresh_token_ttl_days),
        vault=request.app.state.identity_vault,
        totp_code=data.totp_code,
    )


async def rotate_refresh_token(
    *,
    request: Request,
    settings: GatewaySettings,
    signer: TokenSigner,
    now: datetime,
    raw_token: str,
    reuse_grace: timedelta = timedelta(0),
) -> TokenPair | service.RefreshRefused:
    """Rotate in a transaction of its own: a reuse must commit the family's revocation even though it answers 401.
    `reuse_grace`: the browser's cookie refresh only (sessions/service.py)."""
    async with unit_of_work(request.app.state.sessionmaker) as session:
        return await service.rotate(
            session=session,
            raw_token=raw_token,
            now=now,
            signer=signer,
            refresh_ttl=timedelta(days=settings.refresh_token_ttl_days),
            reuse_grace=reuse_grace,
        )


@router.post(
    "/refresh",
    summary="Exchange the refresh token for a new pair (single use: rotated)",
    responses=problem_responses(401, 422),
)
async def refresh(data: RefreshRequest, request: Request, settings: Settings, signer: Signer, now: Now) -> TokenPair:
    """Public: send the refresh token you got at login. Returns a new access token and a new refresh token; the one
    sent stops working. 401 when it is unknown, used, revoked or expired: presenting a used one again ends that
    whole session, so log in again.
    """
    outcome = await rotate_refresh_token(
        request=request, settings=settings, signer=signer, now=now, raw_token=data.refresh_token
    )
    if isinstance(outcome, service.RefreshRefused):
        raise Unauthorized(REFRESH_REFUSED)
    return outcome


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the session of this refresh token",
    responses=problem_responses(422),
)
async def logout(data: RefreshRequest, session: SessionDep, now: Now) -> None:
    """Public: send the refresh token of the session to end (204). That session's refresh tokens stop working at once;
    access tokens already issued stay valid until they expire. Idempotent: an unknown or already ended token also
    answers 204.
    """
    await service.logout(session=session, raw_token=data.refresh_token, now=now)

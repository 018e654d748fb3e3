from datetime import timedelta

from fastapi import APIRouter, Request, status

from abono.db import SessionDep, unit_of_work
from abono.errors import Unauthorized
from gateway.deps import ClientIp, Now, Settings, Signer
from gateway.errors import problem_responses
from gateway.ratelimit.service import enforce, private_key
from gateway.sessions import service
from gateway.sessions.schemas import LoginRequest, RefreshRequest, TokenPair

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/login",
    summary="Log in: an access token and a refresh token (403 `account-closed` for a closed account, B-17)",
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
    )


@router.post(
    "/refresh",
    summary="Exchange the refresh token for a new pair (single use: rotated)",
    responses=problem_responses(401, 422),
)
async def refresh(data: RefreshRequest, request: Request, settings: Settings, signer: Signer, now: Now) -> TokenPair:
    # Own transaction instead of SessionDep: a reuse must commit the family's revocation and still answer 401.
    async with unit_of_work(request.app.state.sessionmaker) as session:
        outcome = await service.rotate(
            session=session,
            raw_token=data.refresh_token,
            now=now,
            signer=signer,
            refresh_ttl=timedelta(days=settings.refresh_token_ttl_days),
        )
    if isinstance(outcome, service.RefreshRefused):
        raise Unauthorized("The refresh token is not valid (unknown, used, revoked or expired); log in again.")
    return outcome


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the session of this refresh token",
    responses=problem_responses(422),
)
async def logout(data: RefreshRequest, session: SessionDep, now: Now) -> None:
    await service.logout(session=session, raw_token=data.refresh_token, now=now)

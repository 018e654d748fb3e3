from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from abono.db import SessionDep
from gateway.deps import ClientIp, Now, Settings
from gateway.errors import problem_responses
from gateway.ratelimit.service import enforce, private_key
from gateway.recovery import service
from gateway.recovery.schemas import PasswordResetConfirm, PasswordResetRequest

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    summary="Mail me a password-reset link (202 whether or not the e-mail has an account)",
    responses=problem_responses(422, 429),
)
async def request_password_reset(
    data: PasswordResetRequest, request: Request, session: SessionDep, settings: Settings, now: Now, ip: ClientIp
) -> Response:
    """Public. When the e-mail has an account, a link to set a new password is mailed to it; the answer is 202 either
    way, so it does not reveal who has an account. Rate limited per address and per IP (429).
    """
    # Per address (nobody floods one mailbox) and per IP, on the budget of every mail a visitor can make us send.
    await enforce(
        sessionmaker=request.app.state.sessionmaker,
        now=now,
        checks=[
            (f"reset:{ip}:{private_key(data.email)}", settings.password_reset_rate_limit),
            (f"signup:{ip}", settings.signup_rate_limit),
        ],
    )
    await service.request_reset(
        session=session, email=data.email, now=now, ttl=timedelta(minutes=settings.password_reset_token_ttl_minutes)
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with the token of the mailed link (ends every session: log in again)",
    responses=problem_responses(400, 422, s422="Invalid body, or `weak-password` (see sign-up)"),
)
async def confirm_password_reset(data: PasswordResetConfirm, session: SessionDep, now: Now) -> None:
    """Public: send the token from the mailed link and the new password (204). Every session of the account ends, so
    log in again. 400 when the token is unknown, used or expired; 422 for a `weak-password`.
    """
    await service.confirm_reset(session=session, raw_token=data.token, new_password=data.new_password, now=now)

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from abono.auth import AdminPrincipal, StaffPrincipal
from abono.db import SessionDep
from abono.events.catalog import REFERRAL_VISIT_COOKIE
from gateway.accounts import service
from gateway.accounts.schemas import (
    EmailVerification,
    PasswordChange,
    RoleUpdate,
    SignupAccepted,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from gateway.deps import ClientIp, CurrentUser, Now, Settings
from gateway.errors import problem_responses
from gateway.ratelimit.service import enforce
from gateway.staff.service import audit

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/signup",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Sign up as a client (one account per e-mail); the next step arrives by e-mail",
    description="The answer is the same whether or not the e-mail already has an account: a new "
    'account is mailed its verification link, an existing one a "you already have an account" message.',
    responses=problem_responses(
        422, 429, s422="Invalid body, or `weak-password` (its `reason`: common, personal, guessable)"
    ),
)
async def signup(
    data: UserCreate, request: Request, session: SessionDep, settings: Settings, now: Now, ip: ClientIp
) -> SignupAccepted:
    await enforce(
        sessionmaker=request.app.state.sessionmaker, now=now, checks=[(f"signup:{ip}", settings.signup_rate_limit)]
    )
    await service.register(
        session=session,
        data=data,
        now=now,
        verification_ttl=timedelta(hours=settings.verification_token_ttl_hours),
        referral_visit=_referral_visit(request),
    )
    return SignupAccepted(email=data.email)


def _referral_visit(request: Request) -> str | None:
    """F-1: the referral link's first-party cookie, if it looks like one (the affiliate service judges it)."""
    value = request.cookies.get(REFERRAL_VISIT_COOKIE, "").strip()
    return value if 0 < len(value) <= 64 and value.replace("-", "").isalnum() else None


@router.post(
    "/verify-email",
    summary="Verify the e-mail with the token of the mailed link",
    responses=problem_responses(400, 422),
)
async def verify_email(data: EmailVerification, session: SessionDep, now: Now) -> UserPublic:
    """Public: send the token from the link mailed at sign-up. Returns the account, now with its e-mail verified. 400
    when the token is unknown, already used or expired (ask for a new link with `POST /api/auth/verification`).
    """
    user = await service.verify_email(session=session, raw_token=data.token, now=now)
    return UserPublic.model_validate(user)


@router.post(
    "/verification",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    summary="Mail me a new verification link",
    responses={204: {"description": "Already verified: nothing to send"}, **problem_responses(401, 403, 429)},
)
async def resend_verification(
    user: CurrentUser, request: Request, session: SessionDep, settings: Settings, now: Now, ip: ClientIp
) -> Response:
    """Signed-in user. Mails a fresh link to verify the account's e-mail (202), or answers 204 when it is verified
    already and sends nothing. Rate limited: 429 when too many mails were asked for.
    """
    if user.email_verified_at is not None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    # The sign-up budget also bounds how many mails one address can make us send.
    await enforce(
        sessionmaker=request.app.state.sessionmaker, now=now, checks=[(f"signup:{ip}", settings.signup_rate_limit)]
    )
    await service.request_verification(
        session=session, user=user, now=now, ttl=timedelta(hours=settings.verification_token_ttl_hours)
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get("/me", summary="My account (403 `account-closed` once it was closed)",
            responses=problem_responses(401, 403))
async def me(user: CurrentUser) -> UserPublic:
    """Any signed-in user. Returns your own account: e-mail and whether it is verified, role, name, phone, country and
    language. A closed account answers 403 `account-closed`.
    """
    return UserPublic.model_validate(user)


@router.patch(
    "/me", summary="Edit my profile (name, phone, country, language)", responses=problem_responses(401, 403, 422)
)
async def update_me(data: UserUpdate, user: CurrentUser, session: SessionDep, now: Now) -> UserPublic:
    """Any signed-in user. Changes only the fields you send (name, phone, country, language) and returns the updated
    account. The e-mail and the role cannot be changed here; 422 for an unknown field or a bad value.
    """
    user = await service.update_profile(session=session, user=user, data=data, now=now)
    return UserPublic.model_validate(user)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password (ends every session: log in again)",
    responses=problem_responses(401, 403, 422, 429, s422="Invalid body, or `weak-password` (see sign-up)"),
)
async def change_password(
    data: PasswordChange,
    user: CurrentUser,
    request: Request,
    session: SessionDep,
    settings: Settings,
    now: Now,
    ip: ClientIp,
) -> None:
    """Any signed-in user: send the current password and the new one. On success (204) every session of the account
    ends, so log in again. 401 for a wrong current password, 422 for a `weak-password`, 429 after too many attempts.
    """
    # Whoever holds a stolen access token must not get unlimited guesses at the current password.
    await enforce(
        sessionmaker=request.app.state.sessionmaker,
        now=now,
        checks=[(f"password:{ip}:{user.id}", settings.login_rate_limit)],
    )
    await service.change_password(
        session=session, user=user, current_password=data.current_password, new_password=data.new_password, now=now
    )


@router.get(
    "/users/{user_id}",
    summary="An account (staff); `closed_at` and `closed_reason` if it was closed",
    responses=problem_responses(401, 403, 404),
)
async def get_user(user_id: uuid.UUID, _: StaffPrincipal, session: SessionDep) -> UserPublic:
    """Staff and admins. Returns one account by id, including `closed_at` and `closed_reason` when it was closed. 404
    when there is no such account.
    """
    return UserPublic.model_validate(await service.get_user(session=session, user_id=user_id))


@router.patch(
    "/users/{user_id}/role",
    summary="Give an account another role (admin)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def set_role(
    user_id: uuid.UUID, data: RoleUpdate, principal: AdminPrincipal, session: SessionDep, now: Now
) -> UserPublic:
    """Admins only. Makes an account a client, staff member or admin and returns it; the change is recorded in the
    staff audit trail and applies from the account's next access token. 404 for an unknown account; 409 when you try
    to change your own role.
    """
    user = await service.set_role(session=session, actor=principal, user_id=user_id, role=data.role, now=now)
    await audit(session, actor=principal, action="set_role", client_id=user_id, at=now, role=data.role.value)
    return UserPublic.model_validate(user)

"""Two-factor authentication for staff (#14 item 7) and the admins' policy that requires it."""

import uuid

from fastapi import APIRouter, Request, Response, status

from abono.auth import AdminPrincipal, StaffPrincipal
from abono.crypto import SecretBox
from abono.db import SessionDep
from gateway.accounts.credentials import authenticate
from gateway.deps import ClientIp, CurrentUser, Now, Settings
from gateway.errors import problem_responses
from gateway.ratelimit.service import enforce, private_key
from gateway.totp import service
from gateway.totp.repository import TotpRepository
from gateway.totp.schemas import (
    RecoveryCodes,
    SecurityPolicyPublic,
    SecurityPolicyUpdate,
    TotpCodeRequest,
    TotpSetup,
    TotpSetupRequest,
    TotpStatus,
)

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _vault(request: Request) -> SecretBox:
    vault: SecretBox = request.app.state.identity_vault  # the gateway's secrets at rest (GATEWAY_IDENTITY_SECRET_KEYS)
    return vault


@router.post(
    "/totp/setup",
    status_code=status.HTTP_201_CREATED,
    summary="Staff: a new TOTP secret for an authenticator app; the next login with its code confirms it "
    "(the password again; the current code when one is confirmed already)",
    responses=problem_responses(401, 403, 422, 429),
)
async def setup(
    data: TotpSetupRequest, request: Request, session: SessionDep, settings: Settings, now: Now, ip: ClientIp
) -> TotpSetup:
    """Staff and admins, with e-mail and password (no access token needed, so an account that must enrol can do it
    before it can log in). Returns a new secret and an `otpauth://` URI for an authenticator app; the first login
    with a code from it confirms the enrolment. Replacing a confirmed one needs its current `code`. 401 for bad
    credentials or code, 403 for a client account, 429 after too many attempts.
    """
    # Under the login limits: it checks a password (and maybe a code) as a login does.
    await enforce(
        sessionmaker=request.app.state.sessionmaker,
        now=now,
        checks=[
            (f"login:{ip}:{private_key(data.email)}", settings.login_rate_limit),
            (f"login:{ip}", settings.login_ip_rate_limit),
        ],
    )
    user = await authenticate(session=session, email=data.email, password=data.password)
    enrolment = await service.setup(session=session, vault=_vault(request), user=user, code=data.code, now=now)
    return TotpSetup(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.get(
    "/totp",
    summary="My two-factor authentication: enrolled, confirmed, required, recovery codes left",
    responses=problem_responses(401, 403),
)
async def totp_status(user: CurrentUser, session: SessionDep) -> TotpStatus:
    """Any signed-in user. Returns whether two-factor authentication is enrolled and confirmed for your account,
    whether it is required of you, and how many recovery codes are left.
    """
    repo = TotpRepository(session)
    credential = await repo.credential(user.id)
    return TotpStatus(
        enrolled=credential is not None,
        confirmed=credential is not None and credential.confirmed_at is not None,
        required=await service.required_for(session, user),
        recovery_codes_left=await repo.recovery_codes_left(user.id),
    )


@router.post(
    "/totp/recovery-codes",
    summary="Ten new single-use recovery codes (the earlier ones stop working)",
    responses=problem_responses(401, 403, 409),
)
async def recovery_codes(user: CurrentUser, session: SessionDep, now: Now) -> RecoveryCodes:
    """Signed-in user with confirmed two-factor authentication. Returns ten new single-use recovery codes, shown only
    this once; every earlier code stops working. 409 until you have logged in once with a two-factor code.
    """
    return RecoveryCodes(codes=await service.new_recovery_codes(session=session, user_id=user.id, now=now))


@router.post(
    "/totp/disable",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Turn two-factor authentication off (a valid code; refused while admins require it)",
    responses=problem_responses(401, 403, 409, 422),
)
async def disable(
    data: TotpCodeRequest, request: Request, user: CurrentUser, session: SessionDep, now: Now
) -> Response:
    """Signed-in user: send a current code to remove two-factor authentication from your account (204; audited). A
    wrong code is refused; 409 while admins require two-factor authentication of staff.
    """
    await service.disable(session=session, vault=_vault(request), user=user, code=data.code, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users/{user_id}/totp/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Admin: remove another staff account's two-factor authentication (lost phone; audited); it enrols again",
    responses=problem_responses(401, 403, 404, 409),
)
async def reset(user_id: uuid.UUID, admin: AdminPrincipal, session: SessionDep, now: Now) -> Response:
    """Admins only, for a staff member who lost their authenticator: removes that account's two-factor authentication
    and recovery codes (204), recorded in the audit trail. The member enrols again before the next login when it is
    required. 404 for an unknown account; 409 when there is nothing to reset or the account is your own.
    """
    await service.reset(session=session, admin_id=admin.user_id, user_id=user_id, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/security-policy",
    summary="Staff: whether admins require two-factor authentication of staff",
    responses=problem_responses(401, 403),
)
async def security_policy(_: StaffPrincipal, session: SessionDep) -> SecurityPolicyPublic:
    """Staff and admins. Returns whether two-factor authentication is required of every staff account, and who changed
    that last and when.
    """
    policy = await TotpRepository(session).policy()
    if policy is None:
        return SecurityPolicyPublic(require_staff_totp=False)
    return SecurityPolicyPublic(
        require_staff_totp=policy.require_staff_totp, updated_at=policy.updated_at, updated_by=policy.updated_by
    )


@router.put(
    "/security-policy",
    summary="Admin: require two-factor authentication of every staff account (audited)",
    responses=problem_responses(401, 403, 422),
)
async def put_security_policy(
    data: SecurityPolicyUpdate, admin: AdminPrincipal, session: SessionDep, now: Now
) -> SecurityPolicyPublic:
    """Admins only. Turns the requirement of two-factor authentication for staff on or off and returns the policy; the
    change is audited. While it is on, a staff login without a confirmed authenticator is refused until the member
    enrols.
    """
    await service.set_policy(
        session=session, require_staff_totp=data.require_staff_totp, admin_id=admin.user_id, now=now
    )
    return await security_policy(admin, session)

"""TOTP for staff (#14 item 7). Codes are judged on wall time (the authenticator app's), never the test clock; each
time step is accepted once. A new secret replacing a confirmed one needs a valid code of the old one, so a stolen
password alone cannot enrol a new device."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Role
from abono.crypto import SecretBox
from abono.errors import Conflict, DomainError, Forbidden, NotFound
from gateway.accounts.models import User
from gateway.sessions.ending import end_all_sessions
from gateway.totp.repository import TotpRepository

log = structlog.get_logger("gateway.totp")
ISSUER = "Abono"
STEP_SECONDS = 30
RECOVERY_CODES = 10
STAFF = (Role.STAFF, Role.ADMIN)


class TotpRequired(DomainError):
    status, code, title = 401, "totp-required", "Two-factor code required"


class TotpInvalid(DomainError):
    status, code, title = 401, "totp-invalid", "Two-factor code not valid"


class TotpEnrolmentRequired(DomainError):
    status, code, title = 403, "totp-enrolment-required", "Two-factor authentication required"


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


def _hash(code: str) -> bytes:
    return hashlib.sha256(code.strip().lower().encode()).digest()


def _matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step (±1 for clock drift) whose code `code` is, if any."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    for drift in (0, -1, 1):
        moment = at + timedelta(seconds=drift * STEP_SECONDS)
        if hmac.compare_digest(totp.at(moment), code):
            return int(totp.timecode(moment))
    return None


async def required_for(session: AsyncSession, user: User) -> bool:
    if user.role not in STAFF:
        return False
    policy = await TotpRepository(session).policy()
    return policy is not None and policy.require_staff_totp


async def second_factor(
    *, session: AsyncSession, vault: SecretBox, user: User, code: str | None, now: datetime
) -> None:
    """After the password: the account's TOTP code (or a recovery code) when it has a secret; refused when the
    admins require TOTP of staff and this staff account has none yet (it enrols at `POST /api/auth/totp/setup`)."""
    repo = TotpRepository(session)
    credential = await repo.credential(user.id, for_update=True)
    if credential is None:
        if await required_for(session, user):
            raise TotpEnrolmentRequired("Admins require two-factor authentication: set it up, then log in with a code.")
        return
    if not code:
        raise TotpRequired("Enter the 6-digit code of your authenticator app.")
    step = _matching_step(vault.decrypt(credential.secret_sealed), code.strip(), datetime.now(UTC))
    if step is not None and step > credential.last_step:
        credential.last_step = step
        if credential.confirmed_at is None:
            credential.confirmed_at = now
            await repo.audit(actor_id=user.id, action="totp_enabled", details={}, at=now)
        return
    if credential.confirmed_at is not None and await repo.use_recovery_code(user.id, _hash(code), now):
        log.warning("totp_recovery_code_used", user_id=str(user.id))
        await repo.audit(actor_id=user.id, action="totp_recovery_code_used", details={}, at=now)
        return
    raise TotpInvalid("The two-factor code is not valid (or was used already).")


async def setup(*, session: AsyncSession, vault: SecretBox, user: User, code: str | None, now: datetime) -> Enrolment:
    """A new secret for a staff account (usable at once; confirmed by its first login with a code)."""
    if user.role not in STAFF:
        raise Forbidden("Two-factor authentication is for staff accounts.")
    existing = await TotpRepository(session).credential(user.id, for_update=True)
    if existing is not None and existing.confirmed_at is not None:
        await second_factor(session=session, vault=vault, user=user, code=code, now=now)
    secret = pyotp.random_base32()
    repo = TotpRepository(session)
    await repo.put_credential(user.id, vault.encrypt(secret), now)
    await repo.audit(actor_id=user.id, action="totp_secret_created", details={"replaced": existing is not None}, at=now)
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri)


async def new_recovery_codes(*, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> list[str]:
    """Ten fresh single-use codes (the earlier ones stop working); shown once, stored hashed."""
    credential = await TotpRepository(session).credential(user_id, for_update=True)
    if credential is None or credential.confirmed_at is None:
        raise Conflict("Log in once with a two-factor code before asking for recovery codes.")
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    repo = TotpRepository(session)
    await repo.replace_recovery_codes(user_id, [_hash(c) for c in codes], now)
    await repo.audit(actor_id=user_id, action="totp_recovery_codes_created", details={"count": len(codes)}, at=now)
    return codes


async def disable(*, session: AsyncSession, vault: SecretBox, user: User, code: str, now: datetime) -> None:
    """Turn TOTP off (with a valid code); refused while admins require it of staff."""
    if await required_for(session, user):
        raise Conflict("Admins require two-factor authentication for staff: it cannot be turned off.")
    await second_factor(session=session, vault=vault, user=user, code=code, now=now)
    repo = TotpRepository(session)
    await repo.remove(user.id)
    await repo.audit(actor_id=user.id, action="totp_disabled", details={}, at=now)


async def reset(*, session: AsyncSession, admin_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> None:
    """An admin removes another staff account's second factor (a lost phone): its secret and recovery codes go, it
    enrols again (at sign-in while the policy requires it). Every session of that account ends too (each refresh
    token family revoked and the access tokens refused by every service, as after a password change): whoever holds the
lost phone may hold a signed-in browser.
    Audited; one's own goes through `disable` (with a code)."""
    if user_id == admin_id:
        raise Conflict("Turn your own two-factor authentication off with a code, or ask another admin.")
    user = await session.get(User, user_id)
    if user is None or user.role not in STAFF:
        raise NotFound("No staff account with that id.")
    repo = TotpRepository(session)
    if not await repo.remove(user_id):
        raise Conflict("That account has no two-factor authentication to reset.")
    await end_all_sessions(session=session, user_id=user_id, now=now, cause="second_factor_reset")
    log.warning("totp_reset", user_id=str(user_id), admin_id=str(admin_id))
    await repo.audit(actor_id=admin_id, action="totp_reset", details={"user_id": str(user_id)}, at=now)


async def set_policy(*, session: AsyncSession, require_staff_totp: bool, admin_id: uuid.UUID, now: datetime) -> None:
    repo = TotpRepository(session)
    before = await repo.policy()
    await repo.put_policy(require_staff_totp=require_staff_totp, by=admin_id, at=now)
    await repo.audit(
        actor_id=admin_id,
        action="security_policy_set",
        at=now,
        details={
            "before": {"require_staff_totp": bool(before and before.require_staff_totp)},
            "after": {"require_staff_totp": require_staff_totp},
        },
    )

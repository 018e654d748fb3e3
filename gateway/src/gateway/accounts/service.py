"""Accounts: every change writes its event to the outbox in the same transaction (`emit`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal, Role
from abono.countries import default_currency
from abono.errors import Conflict, NotFound, Unauthorized
from abono.events import (
    ClientProfile,
    ClientRegistered,
    ClientUpdated,
    EmailVerificationRequested,
    EmailVerified,
    PasswordChanged,
    SignupForExistingAccount,
    StaffRoleChanged,
)
from abono.messaging.outbox import emit
from gateway.accounts.models import EmailVerificationToken, User
from gateway.accounts.passwords import hash_password, verify_password
from gateway.accounts.repository import UserRepository, VerificationTokenRepository
from gateway.accounts.schemas import UserCreate, UserUpdate
from gateway.accounts.strength import check_new_password
from gateway.errors import InvalidToken
from gateway.sessions.service import revoke_all
from gateway.tokens import hash_token, new_token

log = structlog.get_logger("gateway.accounts")
DUPLICATE_EMAIL = "An account with this e-mail already exists."


def profile_of(user: User) -> ClientProfile:
    return ClientProfile(
        email=user.email,
        name=user.name,
        phone=user.phone,
        language=user.language,
        country=user.country,
        currency=user.currency,
    )


async def create_user(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    name: str,
    now: datetime,
    role: Role = Role.CLIENT,
    country: str | None = None,
    currency: str | None = None,
    language: str = "es",
    phone: str | None = None,
    verified: bool = False,
    password_hash: str | None = None,
) -> User:
    """Insert an account; 409 if the e-mail is taken in any case (A-1). Emits nothing (callers decide).
    `password_hash`: the hash of `password` if the caller made it already."""
    users = UserRepository(session)
    if await users.get_by_email(email) is not None:
        raise Conflict(DUPLICATE_EMAIL)
    user = User(
        id=uuid.uuid4(),
        email=email,
        password_hash=password_hash or await hash_password(password),
        role=role,
        name=name,
        phone=phone,
        country=country,
        currency=currency or default_currency(country),
        language=language,
        email_verified_at=now if verified else None,
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint, so a lost race with a concurrent sign-up leaves the transaction usable for the 409.
        async with session.begin_nested():
            await users.add(user)
    except IntegrityError:
        raise Conflict(DUPLICATE_EMAIL) from None
    return user


async def register(
    *,
    session: AsyncSession,
    data: UserCreate,
    now: datetime,
    verification_ttl: timedelta,
    referral_visit: str | None = None,
) -> None:
    """Sign a client up and ask notify to mail the verification link. `referral_visit`: the referral link's cookie
    (F-1), carried on `ClientRegistered` for the affiliate service to attribute the sign-up.

    An e-mail that already has an account is not an error (issue 11: the answer must not tell who is a client):
    its owner is mailed "you already have an account" instead, and nothing else changes. Both ways hash the
    password first, so the time taken does not tell either."""
    # Judged on what was sent only, so a weak password is refused alike for a new and a taken e-mail.
    await check_new_password(data.password, email=data.email, name=data.name)
    password_hash = await hash_password(data.password)
    users = UserRepository(session)
    existing = await users.get_by_email(data.email)
    if existing is None:
        try:
            user = await create_user(
                session=session,
                email=data.email,
                password=data.password,
                password_hash=password_hash,
                name=data.name,
                now=now,
                country=data.country,
                currency=data.currency,
                language=data.language,
                phone=data.phone,
            )
        except Conflict:  # a concurrent sign-up with the same e-mail won the race
            existing = await users.get_by_email(data.email)
        else:
            await _registered(
                session=session, user=user, data=data, now=now, ttl=verification_ttl, visit=referral_visit
            )
            return
    if existing is None or existing.is_closed:  # closed (B-17): no mail, the same answer
        log.info("signup_repeated_not_mailed", reason="closed" if existing else "vanished")
        return
    await emit(session, SignupForExistingAccount(client_id=existing.id, profile=profile_of(existing), occurred_at=now))
    log.info("signup_repeated", client_id=str(existing.id))


async def _registered(
    *, session: AsyncSession, user: User, data: UserCreate, now: datetime, ttl: timedelta, visit: str | None
) -> None:
    await emit(
        session,
        ClientRegistered(
            client_id=user.id,
            profile=profile_of(user),
            referral_code=data.referral_code,
            referral_visit=visit,
            occurred_at=now,
        ),
    )
    await request_verification(session=session, user=user, now=now, ttl=ttl)
    log.info("client_registered", client_id=str(user.id))


async def request_verification(*, session: AsyncSession, user: User, now: datetime, ttl: timedelta) -> None:
    """A new single-use verification link; its raw token travels only in the event, for notify to mail."""
    raw, digest = new_token()
    expires_at = now + ttl
    await VerificationTokenRepository(session).add(
        EmailVerificationToken(user_id=user.id, token_hash=digest, created_at=now, expires_at=expires_at)
    )
    await emit(
        session,
        EmailVerificationRequested(
            client_id=user.id, profile=profile_of(user), token=raw, expires_at=expires_at, occurred_at=now
        ),
    )


async def verify_email(*, session: AsyncSession, raw_token: str, now: datetime) -> User:
    """Use a verification link: the account's e-mail is verified, every other pending link dies."""
    tokens = VerificationTokenRepository(session)
    token = await tokens.get_for_update(hash_token(raw_token))
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise InvalidToken("This verification link is invalid, already used or expired; ask for a new one.")
    user = await UserRepository(session).get(token.user_id)
    if user is None:  # pragma: no cover - tokens are deleted with their user
        raise InvalidToken("This verification link is invalid.")
    await tokens.use_all_of(user.id, at=now)
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.updated_at = now
        await emit(session, EmailVerified(client_id=user.id, occurred_at=now))
    return user


async def update_profile(*, session: AsyncSession, user: User, data: UserUpdate, now: datetime) -> User:
    """Apply the fields sent; emits ClientUpdated naming the ones that really changed (none: no event)."""
    changed = [field for field, value in data.model_dump(exclude_unset=True).items() if getattr(user, field) != value]
    if not changed:
        return user
    for field in changed:
        setattr(user, field, getattr(data, field))
    user.updated_at = now
    await session.flush()
    await emit(session, ClientUpdated(client_id=user.id, profile=profile_of(user), changed=changed, occurred_at=now))
    return user


async def change_password(
    *, session: AsyncSession, user: User, current_password: str, new_password: str, now: datetime
) -> None:
    """Replace the password and end every session; a wrong current password is 401."""
    if not await verify_password(user.password_hash, current_password):
        raise Unauthorized("The current password is wrong.")
    await check_new_password(new_password, email=user.email, name=user.name)
    user.password_hash = await hash_password(new_password)
    user.updated_at = now
    await revoke_all(session=session, user_id=user.id, now=now)
    # Every service refuses the access tokens issued before this instant (wall time, as tokens are): issue 11.
    ended = datetime.now(UTC)
    await emit(
        session,
        PasswordChanged(client_id=user.id, profile=profile_of(user), occurred_at=now, sessions_ended_at=ended),
    )


async def announce_role(session: AsyncSession, user: User, *, now: datetime) -> None:
    """Tell the services who is staff (notify's roster: escalated tickets, S-3)."""
    await emit(
        session, StaffRoleChanged(staff_id=user.id, role=user.role.value, profile=profile_of(user), occurred_at=now)
    )


async def set_role(*, session: AsyncSession, actor: Principal, user_id: uuid.UUID, role: Role, now: datetime) -> User:
    """An admin gives an account another role; effective at that account's next token refresh."""
    if user_id == actor.user_id:
        # An admin demoting itself could leave the platform without any admin.
        raise Conflict("You cannot change your own role.")
    user = await get_user(session=session, user_id=user_id)
    if user.role != role:
        log.info("role_changed", client_id=str(user.id), role=role.value, by=str(actor.user_id))
        user.role = role
        user.updated_at = now
        await announce_role(session, user, now=now)
    return user


async def get_user(*, session: AsyncSession, user_id: uuid.UUID) -> User:
    """The account, or 404."""
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise NotFound("No such account.")
    return user

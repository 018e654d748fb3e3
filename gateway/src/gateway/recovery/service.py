"""Password reset by e-mail (issue 13): a single-use, short-lived link mailed by notify; using it sets a new
password and ends every session. Asking for a link answers the same whether or not the e-mail has an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import EmailVerified, PasswordChanged, PasswordResetRequested
from abono.messaging.outbox import emit
from gateway.accounts.passwords import hash_password
from gateway.accounts.repository import UserRepository
from gateway.accounts.service import profile_of
from gateway.accounts.strength import check_new_password
from gateway.errors import InvalidToken
from gateway.recovery.models import PasswordResetToken
from gateway.recovery.repository import PasswordResetTokenRepository
from gateway.sessions.service import revoke_all
from gateway.tokens import hash_token, new_token

log = structlog.get_logger("gateway.recovery")
BAD_LINK = "This password-reset link is invalid, already used or expired; ask for a new one."


async def request_reset(*, session: AsyncSession, email: str, now: datetime, ttl: timedelta) -> None:
    """Mail a reset link if `email` belongs to an open account; otherwise do nothing (the caller answers the same)."""
    user = await UserRepository(session).get_by_email(email)
    if user is None or user.is_closed:
        log.info("password_reset_not_sent", reason="closed" if user else "unknown")
        return
    raw, digest = new_token()
    expires_at = now + ttl
    await PasswordResetTokenRepository(session).add(
        PasswordResetToken(user_id=user.id, token_hash=digest, created_at=now, expires_at=expires_at)
    )
    # The raw token travels only in the event, for notify to mail (as the verification link does).
    await emit(
        session,
        PasswordResetRequested(
            client_id=user.id, profile=profile_of(user), token=raw, expires_at=expires_at, occurred_at=now
        ),
    )
    log.info("password_reset_requested", client_id=str(user.id))


async def confirm_reset(*, session: AsyncSession, raw_token: str, new_password: str, now: datetime) -> None:
    """Use a reset link: the new password replaces the old, every session and every other link of the account end."""
    tokens = PasswordResetTokenRepository(session)
    token = await tokens.get_for_update(hash_token(raw_token))
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise InvalidToken(BAD_LINK)
    user = await UserRepository(session).get_for_update(token.user_id)
    if user is None or user.is_closed:  # closed after the link was mailed (B-17)
        raise InvalidToken(BAD_LINK)
    await check_new_password(new_password, email=user.email, name=user.name)  # the link stays usable if refused
    await tokens.use_all_of(user.id, at=now)
    user.password_hash = await hash_password(new_password)
    user.updated_at = now
    if user.email_verified_at is None:
        # The link reached the mailbox: that proves the address as well as a verification link would.
        user.email_verified_at = now
        await emit(session, EmailVerified(client_id=user.id, occurred_at=now))
    await revoke_all(session=session, user_id=user.id, now=now)
    ended = datetime.now(UTC)  # every service refuses the access tokens issued before it (issue 11)
    await emit(
        session,
        PasswordChanged(client_id=user.id, profile=profile_of(user), occurred_at=now, sessions_ended_at=ended),
    )
    log.info("password_reset_done", client_id=str(user.id))

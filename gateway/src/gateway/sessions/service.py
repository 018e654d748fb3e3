"""Login, refresh-token rotation and revocation.

Every refresh consumes its token and issues the next of the same family. A consumed token presented again means
two parties hold the family (one of them stole it): the whole family is revoked and both must log in again.
One exception, for browsers only (`reuse_grace`): two tabs of one browser share the refresh cookie and may both
refresh at the same moment; the second presents the token the first has just rotated. Within a few seconds of its
rotation such a token gets a sibling in the same family instead of revoking it (Auth0's "reuse interval", Okta's
"grace period"); presented later, it is a reuse as before.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import TokenSigner
from abono.crypto import SecretBox
from gateway.accounts.credentials import authenticate
from gateway.accounts.models import User
from gateway.accounts.repository import UserRepository
from gateway.sessions.models import RefreshToken
from gateway.sessions.repository import RefreshTokenRepository
from gateway.sessions.schemas import TokenPair
from gateway.tokens import hash_token, new_token
from gateway.totp.service import second_factor

log = structlog.get_logger("gateway.sessions")


@dataclass(frozen=True, slots=True)
class RefreshRefused:
    """Why a refresh token was refused; the caller commits (a reuse revoked a family) and then answers 401."""

    reason: str


async def login(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    now: datetime,
    signer: TokenSigner,
    refresh_ttl: timedelta,
    vault: SecretBox,
    totp_code: str | None = None,
) -> TokenPair:
    """Check the credentials, then the second factor where the account has one (or must), and open a new session
    (a new refresh-token family)."""
    user = await authenticate(session=session, email=email, password=password)
    await second_factor(session=session, vault=vault, user=user, code=totp_code, now=now)
    return await issue_tokens(
        session=session, user=user, family_id=uuid.uuid4(), now=now, signer=signer, refresh_ttl=refresh_ttl
    )


async def issue_tokens(
    *,
    session: AsyncSession,
    user: User,
    family_id: uuid.UUID,
    now: datetime,
    signer: TokenSigner,
    refresh_ttl: timedelta,
) -> TokenPair:
    """A new access JWT and a new refresh token in `family_id`."""
    raw, digest = new_token()
    await RefreshTokenRepository(session).add(
        RefreshToken(
            user_id=user.id, family_id=family_id, token_hash=digest, created_at=now, expires_at=now + refresh_ttl
        )
    )
    return TokenPair(
        access_token=signer.access_token(user_id=user.id, role=user.role, email=user.email),
        refresh_token=raw,
        expires_in=int(signer.ttl.total_seconds()),
        refresh_expires_in=int(refresh_ttl.total_seconds()),
    )


async def rotate(
    *,
    session: AsyncSession,
    raw_token: str,
    now: datetime,
    signer: TokenSigner,
    refresh_ttl: timedelta,
    reuse_grace: timedelta = timedelta(0),
) -> TokenPair | RefreshRefused:
    """Exchange a refresh token for the next pair; a reused token revokes its family (RFC 9700 §4.14.2), unless it
    was rotated less than `reuse_grace` ago (a second tab refreshing at the same moment): then it gets a sibling."""
    repository = RefreshTokenRepository(session)
    token = await repository.get_for_update(hash_token(raw_token))
    if token is None:
        return RefreshRefused("unknown")
    if token.revoked_at is not None:
        return RefreshRefused("revoked")
    concurrent = token.used_at is not None and now - token.used_at <= reuse_grace
    if token.used_at is not None and not concurrent:
        await repository.revoke_family(token.family_id, at=now)
        log.warning("refresh_token_reused", client_id=str(token.user_id), family_id=str(token.family_id))
        return RefreshRefused("reused")
    if token.expires_at <= now:
        return RefreshRefused("expired")
    user = await UserRepository(session).get(token.user_id)
    if user is None:  # pragma: no cover - tokens are deleted with their user (ON DELETE CASCADE)
        return RefreshRefused("unknown")
    if user.is_closed:  # closing revokes every family; this also covers a token issued in the same instant
        await repository.revoke_family(token.family_id, at=now)
        return RefreshRefused("closed")
    if concurrent:
        log.info("refresh_token_concurrent", client_id=str(token.user_id), family_id=str(token.family_id))
    else:
        token.used_at = now
    # The access token carries the role as it is now: a role change takes effect at the next refresh.
    return await issue_tokens(
        session=session, user=user, family_id=token.family_id, now=now, signer=signer, refresh_ttl=refresh_ttl
    )


async def logout(*, session: AsyncSession, raw_token: str, now: datetime) -> None:
    """End the session the refresh token belongs to (its whole family); an unknown token is a no-op."""
    repository = RefreshTokenRepository(session)
    token = await repository.get_for_update(hash_token(raw_token))
    if token is not None:
        await repository.revoke_family(token.family_id, at=now)


async def revoke_all(*, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """End every session of the user (after a password change, whose `PasswordChanged` tells the services)."""
    await RefreshTokenRepository(session).revoke_all_of(user_id, at=now)


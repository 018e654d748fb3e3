"""Ending every session of an account without a password change: "sign out everywhere", or an admin's reset of a
staff member's second factor (a lost phone may hold a signed-in browser)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import SessionsEnded
from abono.messaging.outbox import emit
from gateway.sessions.repository import RefreshTokenRepository

SessionsEndCause = Literal["signed_out_everywhere", "second_factor_reset"]


async def end_all_sessions(
    *, session: AsyncSession, user_id: uuid.UUID, now: datetime, cause: SessionsEndCause
) -> None:
    """Revoke every refresh-token family of the account and, in the same transaction, tell every service to refuse
    the access tokens issued before this instant (`SessionsEnded`; wall time, the tokens' clock: abono.revocation)."""
    await RefreshTokenRepository(session).revoke_all_of(user_id, at=now)
    await emit(session, SessionsEnded(client_id=user_id, sessions_ended_at=datetime.now(UTC), cause=cause,
                                      occurred_at=now))

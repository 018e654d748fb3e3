"""Closing an account (DOMAIN.md B-17: a chargeback / dispute closes the account at once).

The closure marks the user (`closed_at`, `closed_reason`), revokes every refresh-token family, logs the audit line
`account_closed` and emits `ClientClosed`, all in the caller's transaction. Closing a closed account changes
nothing (no second event). Access JWTs already issued stay valid until they expire (ACCESS_TOKEN_TTL, 15 min):
services verify them statelessly; the gateway's own account endpoints refuse a closed account at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientClosed
from abono.messaging.outbox import emit
from gateway.accounts.models import User
from gateway.accounts.repository import UserRepository
from gateway.accounts.service import profile_of
from gateway.sessions.service import revoke_all

log = structlog.get_logger("gateway.accounts")


async def close_account(
    *, session: AsyncSession, user_id: uuid.UUID, reason: str, rule: str, now: datetime, **audit: Any
) -> User | None:
    """Close the account; None if there is no such account. `audit` goes into the log line (dispute id, ...)."""
    user = await UserRepository(session).get_for_update(user_id)
    if user is None:
        log.warning("account_close_unknown", client_id=str(user_id), reason=reason, rule=rule, **audit)
        return None
    if user.is_closed:
        log.info(
            "account_already_closed",
            client_id=str(user_id),
            reason=reason,
            rule=rule,
            closed_reason=user.closed_reason,
            **audit,
        )
        return user
    user.closed_at = now
    user.closed_reason = reason
    user.updated_at = now
    await revoke_all(session=session, user_id=user.id, now=now)
    await session.flush()
    log.warning("account_closed", client_id=str(user.id), reason=reason, rule=rule, closed_at=now.isoformat(), **audit)
    await emit(
        session, ClientClosed(client_id=user.id, reason=reason, rule=rule, profile=profile_of(user), occurred_at=now)
    )
    return user

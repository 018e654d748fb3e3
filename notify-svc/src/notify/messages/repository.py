"""Queries of the sender: claim due messages (FOR UPDATE SKIP LOCKED, any number of replicas), settle them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.messages.models import Channel, Message, Status

SENT_CHANNELS = (Channel.EMAIL.value, Channel.WHATSAPP.value)


class OutgoingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> Sequence[Message]:
        """Take up to `limit` messages due now (or whose sender's lease ran out), earliest lane first, and lease them
        to the caller: an urgent message is claimed before any of a bulk backlog."""
        due = (
            select(Message)
            .where(
                Message.channel.in_(SENT_CHANNELS),
                or_(
                    and_(Message.status == Status.PENDING, Message.next_attempt_at <= now),
                    and_(Message.status == Status.SENDING, Message.lease_expires_at <= now),
                ),
            )
            .order_by(Message.lane, Message.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        messages = (await self.session.scalars(due)).all()
        for message in messages:
            message.status = Status.SENDING
            message.attempts += 1
            message.lease_expires_at = now + lease
        await self.session.flush()
        return messages

    async def backlog(self) -> dict[tuple[str, int], int]:
        """Messages waiting for the sender or being sent, by (channel, lane): the progress of a large run."""
        rows = await self.session.execute(
            select(Message.channel, Message.lane, func.count())
            .where(Message.channel.in_(SENT_CHANNELS), Message.status.in_((Status.PENDING, Status.SENDING)))
            .group_by(Message.channel, Message.lane)
        )
        return {(channel, lane): count for channel, lane, count in rows}

    async def settle(self, message_id: uuid.UUID, attempt: int, **values: object) -> bool:
        """Record the outcome of attempt `attempt`; False if the lease was lost (another sender took it over)."""
        result = await self.session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == Status.SENDING, Message.attempts == attempt)
            .values(lease_expires_at=None, **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def sent(self, message_id: uuid.UUID, attempt: int, *, provider_id: str, at: datetime) -> bool:
        return await self.settle(message_id, attempt, status=Status.SENT, sent_at=at,
                                 provider_message_id=provider_id or None, last_error=None, next_attempt_at=None)

    async def retry_later(self, message_id: uuid.UUID, attempt: int, *, error: str, at: datetime) -> bool:
        return await self.settle(message_id, attempt, status=Status.PENDING, next_attempt_at=at, last_error=error)

    async def failed(self, message_id: uuid.UUID, attempt: int, *, error: str, at: datetime) -> bool:
        return await self.settle(message_id, attempt, status=Status.FAILED, failed_at=at, last_error=error,
                                 next_attempt_at=None)

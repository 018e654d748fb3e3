"""Reading messages: the client's panel inbox (scoped to the caller) and staff's delivery view."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.messages.models import Channel, Message, MessageLink, Status, StatusReport


class MessageQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the client's inbox: always filtered by the caller's id -------------------------------
    async def inbox(self, client_id: uuid.UUID, *, limit: int, offset: int) -> Sequence[Message]:
        stmt = (
            select(Message)
            .where(Message.client_id == client_id, Message.channel == Channel.PANEL)
            .order_by(Message.created_at.desc(), Message.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(stmt)).all()

    async def unread(self, client_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Message.client_id == client_id, Message.channel == Channel.PANEL, Message.read_at.is_(None)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def inbox_message(self, client_id: uuid.UUID, message_id: uuid.UUID) -> Message | None:
        stmt = select(Message).where(
            Message.id == message_id, Message.client_id == client_id, Message.channel == Channel.PANEL
        )
        return (await self.session.scalars(stmt)).first()

    async def mark_read(self, message: Message, *, at: datetime) -> None:
        if message.read_at is None:
            message.read_at = at
            message.status = Status.READ
            await self.session.flush()

    # --- staff ------------------------------------------------------------------------------------
    async def for_client(self, client_id: uuid.UUID, *, channel: str | None, limit: int) -> Sequence[Message]:
        stmt = select(Message).where(Message.client_id == client_id)
        if channel:
            stmt = stmt.where(Message.channel == channel)
        stmt = stmt.order_by(Message.created_at.desc(), Message.channel).limit(limit)
        return (await self.session.scalars(stmt)).all()

    async def with_status(self, status: str, *, limit: int) -> Sequence[Message]:
        stmt = select(Message).where(Message.status == status).order_by(Message.created_at.desc()).limit(limit)
        return (await self.session.scalars(stmt)).all()

    async def get(self, message_id: uuid.UUID) -> Message | None:
        return await self.session.get(Message, message_id)

    async def links_of(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[MessageLink]]:
        rows = (await self.session.scalars(
            select(MessageLink).where(MessageLink.message_id.in_(ids)).order_by(MessageLink.id)
        )).all()
        found: dict[uuid.UUID, list[MessageLink]] = {}
        for link in rows:
            found.setdefault(link.message_id, []).append(link)
        return found

    async def reports_of(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[StatusReport]]:
        rows = (await self.session.scalars(
            select(StatusReport).where(StatusReport.message_id.in_(ids))
            .order_by(StatusReport.reported_at, StatusReport.id)
        )).all()
        found: dict[uuid.UUID, list[StatusReport]] = {}
        for report in rows:
            found.setdefault(report.message_id, []).append(report)
        return found

    async def retry(self, message: Message, *, at: datetime) -> None:
        """A failed message goes back to the sender with a fresh set of attempts (staff decided)."""
        await self.session.execute(
            update(Message).where(Message.id == message.id, Message.status == Status.FAILED).values(
                status=Status.PENDING, attempts=0, next_attempt_at=at, failed_at=None
            )
        )
        await self.session.refresh(message)

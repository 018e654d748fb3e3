"""N-3 tracking: opens and clicks of e-mails, statuses reported by WhatsApp. Every record is idempotent or a count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.messages.models import STATUS_RANK, Channel, Message, MessageLink, Status, StatusReport


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_open(self, token: str, *, at: datetime) -> bool:
        result = await self.session.execute(
            update(Message).where(Message.tracking_token == token).values(
                open_count=Message.open_count + 1,
                first_opened_at=func.coalesce(Message.first_opened_at, at),
                last_opened_at=at,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def record_click(self, token: str, *, at: datetime) -> str | None:
        """Count a click on a rewritten link; its real URL, or None for an unknown token."""
        result = await self.session.execute(
            update(MessageLink).where(MessageLink.token == token).values(
                click_count=MessageLink.click_count + 1,
                first_clicked_at=func.coalesce(MessageLink.first_clicked_at, at),
                last_clicked_at=at,
            ).returning(MessageLink.url)
        )
        return result.scalar_one_or_none()

    async def record_whatsapp_status(self, provider_id: str, status: str, *, reported_at: datetime,
                                     received_at: datetime, detail: str | None) -> bool:
        """Apply one status of WhatsApp's webhook; False if unknown or already recorded (a replay)."""
        message = (await self.session.scalars(
            select(Message).where(Message.provider_message_id == provider_id, Message.channel == Channel.WHATSAPP)
            .with_for_update()
        )).first()
        if message is None:
            return False
        inserted = await self.session.execute(
            insert(StatusReport).values(message_id=message.id, status=status, reported_at=reported_at,
                                        received_at=received_at, detail=detail)
            .on_conflict_do_nothing(index_elements=["message_id", "status"]).returning(StatusReport.id)
        )
        if inserted.first() is None:
            return False
        if status == Status.FAILED:
            if message.delivered_at is None:
                message.status, message.failed_at, message.last_error = Status.FAILED, reported_at, detail
        else:
            if status in (Status.DELIVERED, Status.READ) and message.delivered_at is None:
                message.delivered_at = reported_at
            if status == Status.READ and message.read_at is None:
                message.read_at = reported_at
            current = STATUS_RANK.get(Status(message.status), -1) if message.status in STATUS_RANK else -1
            if STATUS_RANK[Status(status)] > current:
                message.status = status
        await self.session.flush()
        return True

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from abono.db import search_pattern
from support.tickets.models import (
    Attachment,
    AuditEntry,
    CalendarOverride,
    CannedReply,
    SlaFlag,
    Ticket,
    TicketMessage,
    TicketStatus,
)


def next_deadline() -> ColumnElement[datetime]:
    """SQL: the nearest deadline still running (the first response until answered, then the resolution)."""
    first = case((Ticket.first_responded_at.is_(None), Ticket.first_response_due_at), else_=None)
    return func.least(first, Ticket.resolution_due_at)


@dataclass(frozen=True)
class TicketFilters:
    """The staff desk's further filters: nobody's tickets; a running deadline (S-3) before an instant."""

    unassigned: bool = False
    due_before: datetime | None = None


# A ticket's code as typed whole (support.tickets.service.CODE_LENGTH letters and digits).
_CODE = re.compile(r"[A-Z0-9]{10}")


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def get(self, ticket_id: uuid.UUID, *, for_update: bool = False) -> Ticket | None:
        query = select(Ticket).where(Ticket.id == ticket_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def by_code(self, code: str) -> Ticket | None:
        return (await self.session.scalars(select(Ticket).where(Ticket.code == code.upper()))).one_or_none()

    async def code_taken(self, code: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Ticket.code == code))))

    async def list(self, *, client_id: uuid.UUID | None, status: str | None, sla_class: str | None,
                   assigned_to: uuid.UUID | None, queue: bool, limit: int, offset: int,
                   search: str | None = None, filters: TicketFilters = TicketFilters(),
                   code: str | None = None) -> Sequence[Ticket]:
        query = select(Ticket)
        if filters.unassigned:
            query = query.where(Ticket.assigned_to.is_(None))
        if filters.due_before is not None:
            query = query.where(next_deadline() < filters.due_before)
        if search and offset == 0 and _CODE.fullmatch(search.strip().upper()):
            # A ticket's code typed whole: its unique index answers; words of subjects only when no ticket has it.
            found = await self.list(client_id=client_id, status=status, sla_class=sla_class, assigned_to=assigned_to,
                                    queue=queue, limit=limit, offset=offset, filters=filters, code=search)
            if found:
                return found
        if code is not None:
            query = query.where(Ticket.code == code.strip().upper())
        if search:  # the console's search box (issue 14): the ticket's code, or words of its subject
            text = search.strip()
            pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            words = func.lower(Ticket.subject).like(search_pattern(pattern))
            # One or two letters: no trigram to look a subject's words up by (every ticket was read), no code.
            query = query.where(or_(Ticket.code == text.upper(), words) if len(text) >= 3 else false())
        if client_id is not None:
            query = query.where(Ticket.client_id == client_id)
        if status is not None:
            query = query.where(Ticket.status == status)
        if sla_class is not None:
            query = query.where(Ticket.sla_class == sla_class)
        if assigned_to is not None:
            query = query.where(Ticket.assigned_to == assigned_to)
        if queue:  # the staff desk: tickets to work on (open ones unless a status is asked), breaching first
            query = query.where(Ticket.merged_into.is_(None)).order_by(next_deadline().asc().nulls_last(),
                                                                        Ticket.opened_at)
            if status is None:
                query = query.where(Ticket.status != TicketStatus.CLOSED)
        else:
            query = query.order_by(Ticket.updated_at.desc())
        return (await self.session.scalars(query.limit(limit).offset(offset))).all()

    async def messages(self, ticket_id: uuid.UUID, *, include_internal: bool) -> Sequence[TicketMessage]:
        query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
        if not include_internal:
            query = query.where(TicketMessage.internal.is_(False))
        return (await self.session.scalars(query.order_by(TicketMessage.created_at, TicketMessage.id))).all()

    async def attachments_of(self, message_ids: Sequence[uuid.UUID]) -> Sequence[Attachment]:
        if not message_ids:
            return []
        query = select(Attachment.id, Attachment.message_id, Attachment.filename, Attachment.content_type,
                       Attachment.size).where(Attachment.message_id.in_(message_ids))
        return [Attachment(id=r.id, message_id=r.message_id, filename=r.filename, content_type=r.content_type,
                           size=r.size) for r in (await self.session.execute(query)).all()]

    async def attachment(self, ticket_id: uuid.UUID, attachment_id: uuid.UUID) -> tuple[Attachment, bool] | None:
        """The attachment and whether its message is internal."""
        row = (await self.session.execute(
            select(Attachment, TicketMessage.internal).join(TicketMessage, TicketMessage.id == Attachment.message_id)
            .where(Attachment.id == attachment_id, TicketMessage.ticket_id == ticket_id))).one_or_none()
        return (row[0], row[1]) if row else None

    async def external_seen(self, external_id: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(TicketMessage.external_id == external_id))))

    async def move_messages(self, *, from_ticket: uuid.UUID, to_ticket: uuid.UUID) -> None:
        await self.session.execute(update(TicketMessage).where(TicketMessage.ticket_id == from_ticket)
                                   .values(ticket_id=to_ticket))

    async def open_ticket_on_channel(self, client_id: uuid.UUID, channel: str) -> Ticket | None:
        """The client's latest ticket opened on `channel` that is not closed (a WhatsApp conversation continues)."""
        return (await self.session.scalars(
            select(Ticket).where(Ticket.client_id == client_id, Ticket.channel == channel,
                                 Ticket.status != TicketStatus.CLOSED, Ticket.merged_into.is_(None))
            .order_by(Ticket.opened_at.desc()).limit(1).with_for_update())).one_or_none()

    # --- the SLA scheduler -------------------------------------------------------------------------------------
    async def claim_due(self, *, now: datetime, warn_until: datetime, limit: int) -> Sequence[Ticket]:
        """Running tickets with a deadline whose warning or breach is due and not yet flagged, locked; rows another
        scheduler holds are skipped (it is flagging them)."""

        def unflagged(deadline: str, stage: str, due: ColumnElement[datetime | None]) -> ColumnElement[bool]:
            return ~exists().where(SlaFlag.ticket_id == Ticket.id, SlaFlag.deadline == deadline,
                                   SlaFlag.stage == stage, SlaFlag.due_at == due)

        fr: ColumnElement[datetime | None] = Ticket.first_response_due_at  # type: ignore[assignment]
        res: ColumnElement[datetime | None] = Ticket.resolution_due_at  # type: ignore[assignment]
        first_running = Ticket.first_responded_at.is_(None)
        due = or_(
            and_(first_running, fr <= warn_until, unflagged("first_response", "warning", fr)),
            and_(first_running, fr <= now, unflagged("first_response", "breach", fr)),
            and_(res <= warn_until, unflagged("resolution", "warning", res)),
            and_(res <= now, unflagged("resolution", "breach", res)),
        )
        query = (select(Ticket).where(Ticket.status != TicketStatus.CLOSED, Ticket.merged_into.is_(None), due)
                 .order_by(Ticket.opened_at).limit(limit).with_for_update(skip_locked=True))
        return (await self.session.scalars(query)).all()

    async def flag(self, *, ticket_id: uuid.UUID, deadline: str, stage: str, due_at: datetime,
                   now: datetime) -> bool:
        """Record the flag; False if it was already recorded (by this or another scheduler)."""
        stmt = insert(SlaFlag).values(ticket_id=ticket_id, deadline=deadline, stage=stage, due_at=due_at,
                                      flagged_at=now).on_conflict_do_nothing().returning(SlaFlag.id)
        return (await self.session.scalar(stmt)) is not None

    async def flags(self, ticket_id: uuid.UUID) -> Sequence[SlaFlag]:
        return (await self.session.scalars(select(SlaFlag).where(SlaFlag.ticket_id == ticket_id)
                                           .order_by(SlaFlag.id))).all()


class CannedReplyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> Sequence[CannedReply]:
        return (await self.session.scalars(select(CannedReply).order_by(CannedReply.title))).all()

    async def get(self, reply_id: uuid.UUID) -> CannedReply | None:
        return await self.session.get(CannedReply, reply_id)

    async def add(self, reply: CannedReply) -> bool:
        stmt = insert(CannedReply).values(id=reply.id, title=reply.title, body=reply.body,
                                          created_at=reply.created_at).on_conflict_do_nothing()
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> Sequence[CalendarOverride]:
        return (await self.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))).all()

    async def overrides(self) -> tuple[frozenset[date], frozenset[date]]:
        """(days off, working days) set by staff."""
        rows = await self.all()
        return (frozenset(r.day for r in rows if r.kind == "day_off"),
                frozenset(r.day for r in rows if r.kind == "working_day"))

    async def put(self, *, day: date, kind: str, note: str, by: uuid.UUID, at: datetime) -> None:
        values = {"kind": kind, "note": note, "set_by": by, "set_at": at}
        stmt = insert(CalendarOverride).values(day=day, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=[CalendarOverride.day], set_=values))

    async def get(self, day: date) -> CalendarOverride | None:
        return await self.session.get(CalendarOverride, day, with_for_update=True)

    async def remove(self, day: date) -> bool:
        result = await self.session.execute(delete(CalendarOverride).where(CalendarOverride.day == day))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def audit(self, *, actor_id: uuid.UUID, action: str, details: dict[str, Any], at: datetime) -> None:
        self.session.add(AuditEntry(actor_id=actor_id, action=action, details=details, at=at))
        await self.session.flush()

    async def history(self, *, limit: int) -> Sequence[AuditEntry]:
        return (await self.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))).all()

"""S-1 tickets and their conversation; S-3's clocks move with it (`tickets.clocks`). Services only flush."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, InvalidInput, NotFound
from abono.events import TicketReplied
from abono.messaging import emit
from abono.metrics import count_after_commit
from support.clients.repository import ServiceRepository
from support.config import SupportSettings
from support.metrics import MESSAGES, TICKETS_OPENED
from support.runtime import Runtime
from support.sla.policy import SlaClass
from support.tickets import clocks
from support.tickets.attachments import CheckedFile, check_attachment, decode_base64
from support.tickets.models import Attachment, Priority, Ticket, TicketMessage, TicketStatus
from support.tickets.repository import CannedReplyRepository, TicketRepository
from support.tickets.schemas import AttachmentIn

# Upper-case letters and digits without the look-alikes (0/O, 1/I/L): read over the phone, typed in a subject.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class NewMessage:
    body: str
    channel: str
    attachments: list[CheckedFile] = field(default_factory=list)
    external_id: str | None = None  # an inbound mail's Message-ID, a WhatsApp message id: applied once


def checked_files(settings: SupportSettings, files: list[AttachmentIn]) -> list[CheckedFile]:
    if len(files) > settings.attachments_per_message:
        raise InvalidInput(f"At most {settings.attachments_per_message} attachments per message.")
    return [check_attachment(filename=f.filename, content=decode_base64(f.filename, f.content_base64,
                                                                          settings.attachment_max_bytes),
                             allowed=settings.attachment_types, max_bytes=settings.attachment_max_bytes)
            for f in files]


async def _write_message(session: AsyncSession, ticket: Ticket, message: NewMessage, *, author: str,
                         author_id: uuid.UUID | None, internal: bool = False) -> TicketMessage:
    row = TicketMessage(id=uuid.uuid4(), ticket_id=ticket.id, author=author, author_id=author_id, body=message.body,
                        internal=internal, channel=message.channel, external_id=message.external_id,
                        created_at=ticket.updated_at)
    await TicketRepository(session).add(row)  # before its attachments (no ORM relationship orders them)
    await TicketRepository(session).add(*(
        Attachment(id=uuid.uuid4(), message_id=row.id, filename=f.filename, content_type=f.content_type,
                   size=len(f.content), content=f.content) for f in message.attachments))
    count_after_commit(session, MESSAGES, author=author, channel=message.channel)
    return row


async def open_ticket(*, session: AsyncSession, runtime: Runtime, client_id: uuid.UUID, subject: str,
                      sla_class: SlaClass, service_id: uuid.UUID | None, message: NewMessage) -> Ticket:
    """S-1: a new ticket with a unique code, its first message, and S-3's deadlines from the client's plan."""
    settings, repo = runtime.settings, TicketRepository(session)
    if service_id is not None:
        service = await ServiceRepository(session).get(service_id)
        if service is None or service.client_id != client_id:
            raise InvalidInput("No such service among yours.")
    plan = await ServiceRepository(session).plan_of(client_id, settings.plan_products)
    now = runtime.clock.now()
    code = new_code()
    while await repo.code_taken(code):  # 31^10 codes: a clash is rare; the unique index is the guarantee
        code = new_code()
    ticket = Ticket(id=uuid.uuid4(), code=code, client_id=client_id, subject=subject, sla_class=sla_class.value,
                    plan=plan.value, service_id=service_id, channel=message.channel, status=TicketStatus.OPEN.value,
                    priority=Priority.NORMAL.value, opened_at=now, updated_at=now, resolution_spent_seconds=0)
    clocks.start(ticket, now=now, targets=settings.targets(), hours=await runtime.business_hours(session))
    await repo.add(ticket)
    await _write_message(session, ticket, message, author="client", author_id=client_id)
    count_after_commit(session, TICKETS_OPENED, channel=message.channel, sla_class=sla_class.value, plan=plan.value)
    return ticket


async def client_message(*, session: AsyncSession, runtime: Runtime, ticket: Ticket,
                         message: NewMessage) -> TicketMessage:
    """The client wrote: the ticket is open again and the resolution clock restarts from this message."""
    if ticket.merged_into is not None:
        raise Conflict("This ticket was merged into another one: write there.", merged_into=str(ticket.merged_into))
    now = runtime.clock.now()
    ticket.status, ticket.closed_at, ticket.updated_at = TicketStatus.OPEN.value, None, now
    clocks.restart_resolution(ticket, now=now, targets=runtime.settings.targets(),
                              hours=await runtime.business_hours(session))
    return await _write_message(session, ticket, message, author="client", author_id=ticket.client_id)


async def staff_message(*, session: AsyncSession, runtime: Runtime, ticket: Ticket, staff_id: uuid.UUID,
                        body: str | None, canned_reply_id: uuid.UUID | None, attachments: list[CheckedFile],
                        internal: bool, status: str | None) -> TicketMessage:
    """A staff reply (mailed to the client, first response stopped) or an internal note (nothing else moves)."""
    if ticket.merged_into is not None:
        raise Conflict("This ticket was merged into another one.", merged_into=str(ticket.merged_into))
    text = await _compose_body(session, body, canned_reply_id)
    now = runtime.clock.now()
    ticket.updated_at = now
    message = NewMessage(body=text, channel="panel", attachments=attachments)
    if internal:
        if status is not None:
            raise InvalidInput("An internal note does not change the ticket's status.")
        return await _write_message(session, ticket, message, author="staff", author_id=staff_id, internal=True)
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    await _set_status(session, runtime, ticket, status or TicketStatus.ANSWERED.value)
    row = await _write_message(session, ticket, message, author="staff", author_id=staff_id)
    await emit(session, TicketReplied(ticket_id=ticket.id, client_id=ticket.client_id, code=ticket.code,
                                      subject=ticket.subject, message_id=row.id, body=text, status=ticket.status,
                                      resolution_due_at=ticket.resolution_due_at, occurred_at=now))
    return row


async def _compose_body(session: AsyncSession, body: str | None, canned_reply_id: uuid.UUID | None) -> str:
    parts = []
    if canned_reply_id is not None:
        canned = await CannedReplyRepository(session).get(canned_reply_id)
        if canned is None:
            raise InvalidInput("No such canned reply.")
        parts.append(canned.body)
    if body:
        parts.append(body)
    if not parts:
        raise InvalidInput("Write a message or pick a canned reply.")
    return "\n\n".join(parts)


async def _set_status(session: AsyncSession, runtime: Runtime, ticket: Ticket, status: str) -> None:
    now = runtime.clock.now()
    hours = await runtime.business_hours(session)
    if status in (TicketStatus.WAITING_ON_CLIENT, TicketStatus.CLOSED):
        clocks.pause_resolution(ticket, now=now, hours=hours)
    else:
        clocks.resume_resolution(ticket, now=now, targets=runtime.settings.targets(), hours=hours)
    ticket.status = status
    ticket.closed_at = now if status == TicketStatus.CLOSED else None
    ticket.updated_at = now


async def update_ticket(*, session: AsyncSession, runtime: Runtime, ticket: Ticket, status: str | None,
                        assigned_to: uuid.UUID | None, unassign: bool) -> None:
    if ticket.merged_into is not None:
        raise Conflict("This ticket was merged into another one.")
    if unassign:
        ticket.assigned_to = None
    elif assigned_to is not None:
        ticket.assigned_to = assigned_to
    if status is not None and status != ticket.status:
        await _set_status(session, runtime, ticket, status)
    ticket.updated_at = runtime.clock.now()


async def close(*, session: AsyncSession, runtime: Runtime, ticket: Ticket) -> None:
    if ticket.status != TicketStatus.CLOSED:
        await _set_status(session, runtime, ticket, TicketStatus.CLOSED.value)


async def merge(*, session: AsyncSession, runtime: Runtime, duplicate: Ticket, into: Ticket) -> None:
    """A duplicate's conversation moves to the ticket it repeats; the duplicate closes, pointing there."""
    if duplicate.id == into.id:
        raise InvalidInput("A ticket cannot be merged into itself.")
    if duplicate.client_id != into.client_id:
        raise InvalidInput("Only tickets of the same client can be merged.")
    if duplicate.merged_into is not None or into.merged_into is not None:
        raise Conflict("One of these tickets was already merged.")
    await TicketRepository(session).move_messages(from_ticket=duplicate.id, to_ticket=into.id)
    await close(session=session, runtime=runtime, ticket=duplicate)
    duplicate.merged_into = into.id
    into.updated_at = runtime.clock.now()


async def ticket_for(session: AsyncSession, ticket_id: uuid.UUID, *, client_id: uuid.UUID | None,
                     for_update: bool = False) -> Ticket:
    """The ticket, if the caller may see it: a client only its own (404 otherwise, so ids leak nothing)."""
    ticket = await TicketRepository(session).get(ticket_id, for_update=for_update)
    if ticket is None or (client_id is not None and ticket.client_id != client_id):
        raise NotFound("No such ticket.")
    return ticket

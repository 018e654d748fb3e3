"""Tickets as the API shows them: a client never sees internal notes."""

from sqlalchemy.ext.asyncio import AsyncSession

from support.sla.policy import Plan, SlaClass
from support.tickets import clocks
from support.tickets.models import Ticket
from support.tickets.repository import TicketRepository
from support.tickets.schemas import AttachmentPublic, MessagePublic, TicketDetail, TicketPublic


def public(ticket: Ticket) -> TicketPublic:
    return TicketPublic(
        id=ticket.id, code=ticket.code, client_id=ticket.client_id, subject=ticket.subject,
        sla_class=SlaClass(ticket.sla_class), plan=Plan(ticket.plan), service_id=ticket.service_id,
        channel=ticket.channel, status=ticket.status, priority=ticket.priority, assigned_to=ticket.assigned_to,
        merged_into=ticket.merged_into, opened_at=ticket.opened_at, updated_at=ticket.updated_at,
        closed_at=ticket.closed_at, first_response_due_at=ticket.first_response_due_at,
        first_responded_at=ticket.first_responded_at, resolution_due_at=ticket.resolution_due_at,
        next_deadline_at=clocks.next_deadline(ticket),
    )


async def detail(session: AsyncSession, ticket: Ticket, *, staff: bool) -> TicketDetail:
    repo = TicketRepository(session)
    messages = await repo.messages(ticket.id, include_internal=staff)
    files: dict[object, list[AttachmentPublic]] = {}
    for a in await repo.attachments_of([m.id for m in messages]):
        files.setdefault(a.message_id, []).append(
            AttachmentPublic(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size))
    return TicketDetail(**public(ticket).model_dump(), messages=[
        MessagePublic(id=m.id, author=m.author, author_id=m.author_id, body=m.body, internal=m.internal,
                      channel=m.channel, created_at=m.created_at, attachments=files.get(m.id, []))
        for m in messages])

"""S-1 tickets over HTTP: a client opens, reads and answers its own; staff read and answer all of them."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from abono.auth import CurrentPrincipal, Principal
from abono.bounds import OffsetQuery, SearchQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import Forbidden, NotFound, problem_responses
from support.runtime import RuntimeDep
from support.sla.policy import SlaClass
from support.tickets import service, views
from support.tickets.repository import TicketFilters, TicketRepository
from support.tickets.schemas import MessageCreate, MessagePublic, TicketCreate, TicketDetail, TicketPublic

router = APIRouter(prefix="/tickets", tags=["tickets"])
STATUS_PATTERN = "^(open|answered|waiting_on_client|closed)$"


def _scope(principal: Principal) -> uuid.UUID | None:
    """The client whose tickets the caller may see (None: staff see everyone's)."""
    return None if principal.is_staff else principal.user_id


@router.post("", status_code=201, summary="Open a ticket with the client's first message",
             description="The answer carries the ticket's code (quoted in every e-mail about it) and its "
             "first-response and resolution deadlines, which depend on the class and the client's support plan: "
             "`SLA1` advice and `SLA4` design or software are answered in business hours, `SLA2` preventive "
             "maintenance and `SLA3` error reports around the clock (`SLA3` within 2 hours at most). Up to 5 "
             "attachments, base64.",
             responses=problem_responses(401, 403, 422))
async def open_ticket(body: TicketCreate, principal: CurrentPrincipal, session: SessionDep,
                      runtime: RuntimeDep) -> TicketDetail:
    if principal.is_staff:
        raise Forbidden("A ticket is opened by the client it concerns (by panel, e-mail or WhatsApp).")
    files = service.checked_files(runtime.settings, body.attachments)
    ticket = await service.open_ticket(
        session=session, runtime=runtime, client_id=principal.user_id, subject=body.subject, sla_class=body.sla_class,
        service_id=body.service_id, message=service.NewMessage(body=body.message, channel="panel", attachments=files))
    return await views.detail(session, ticket, staff=False)


@router.get("", summary="Tickets: a client's own; for staff, all (queue=true: the desk's queue of open tickets, "
            "breaching first; with `status`, that status)",
            responses=problem_responses(401))
async def list_tickets(principal: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep,
                       status: Annotated[str | None, Query(pattern=STATUS_PATTERN, max_length=20)] = None,
                       sla_class: SlaClass | None = None, assigned_to: uuid.UUID | None = None, queue: bool = False,
                       unassigned: bool = False, client_id: uuid.UUID | None = None,
                       due_within_minutes: Annotated[int | None, Query(
                           ge=0, le=60 * 24 * 31, description="Only tickets whose running deadline falls within "
                           "this many minutes from now (0: already missed)")] = None,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       offset: OffsetQuery = 0, q: SearchQuery | None = None) -> list[TicketPublic]:
    """A client sees only its own tickets (`client_id` cannot widen that); staff see everyone's. Filter by `status`,
    `sla_class`, `assigned_to`, `unassigned`, `client_id` (staff) or `due_within_minutes` (tickets whose running
    deadline falls within that many minutes; 0: already missed), search with `q`, page with `limit` and `offset`.
    Staff may ask for the desk's queue (`queue=true`): open tickets, the closest to missing a deadline first.
    """
    scope = client_id if principal.is_staff else principal.user_id  # a client's filter never widens its scope
    rows = await TicketRepository(session).list(
        client_id=scope, status=status, sla_class=sla_class.value if sla_class else None,
        assigned_to=assigned_to, queue=queue, limit=limit, offset=offset, search=q,
        filters=TicketFilters(unassigned=unassigned, due_before=None if due_within_minutes is None else
                              runtime.clock.now() + timedelta(minutes=due_within_minutes)))
    return [views.public(t) for t in rows]


@router.get("/{ticket_id}", summary="A ticket with its conversation and deadlines (internal notes: staff only)",
            responses=problem_responses(401, 404))
async def get_ticket(ticket_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSessionDep) -> TicketDetail:
    """Returns the ticket with its messages, attachments (downloaded separately), status, assignee and first-response
    and resolution deadlines. A client reads only its own tickets (404 for any other); staff read any ticket and also
    see the internal notes.
    """
    ticket = await service.ticket_for(session, ticket_id, client_id=_scope(principal))
    return await views.detail(session, ticket, staff=principal.is_staff)


@router.post("/{ticket_id}/messages", status_code=201,
             summary="Reply: the client reopens its ticket; staff answer (mailed to the client) or add a note",
             responses=problem_responses(401, 404, 409, 422))
async def post_message(ticket_id: uuid.UUID, body: MessageCreate, principal: CurrentPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> MessagePublic:
    """A client writes on its own ticket, which reopens it for the desk (notes, statuses and canned replies are staff's:
    404). Staff answer, and the answer is e-mailed to the client, optionally from a canned reply (`canned_reply_id`)
    and setting the status; or add an internal note the client never sees (`internal: true`). Up to 5 base64
    attachments. 409 when the ticket was merged into another one (named in `merged_into`).
    """
    ticket = await service.ticket_for(session, ticket_id, client_id=_scope(principal), for_update=True)
    files = service.checked_files(runtime.settings, body.attachments)
    if principal.is_staff:
        row = await service.staff_message(session=session, runtime=runtime, ticket=ticket,
                                          staff_id=principal.user_id, body=body.message,
                                          canned_reply_id=body.canned_reply_id, attachments=files,
                                          internal=body.internal, status=body.status)
    else:
        if body.internal or body.status is not None or body.canned_reply_id is not None or not body.message:
            raise NotFound("Write a message: notes, statuses and canned replies are for staff.")
        row = await service.client_message(session=session, runtime=runtime, ticket=ticket,
                                           message=service.NewMessage(body=body.message, channel="panel",
                                                                      attachments=files))
    detail = await views.detail(session, ticket, staff=principal.is_staff)
    return next(m for m in detail.messages if m.id == row.id)


@router.post("/{ticket_id}/close", summary="Close a ticket (the client its own, staff any)",
             responses=problem_responses(401, 404))
async def close_ticket(ticket_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> TicketPublic:
    """A client closes its own ticket, staff any ticket; returns it closed. Closing a closed ticket changes nothing. A
    later message from the client reopens it.
    """
    ticket = await service.ticket_for(session, ticket_id, client_id=_scope(principal), for_update=True)
    await service.close(session=session, runtime=runtime, ticket=ticket)
    return views.public(ticket)


@router.get("/{ticket_id}/attachments/{attachment_id}", summary="Download an attachment",
            responses={200: {"content": {"application/octet-stream": {}}}, **problem_responses(401, 404)})
async def download(ticket_id: uuid.UUID, attachment_id: uuid.UUID, principal: CurrentPrincipal,
                   session: ReadSessionDep) -> Response:
    """Returns the file's bytes with its content type, as a download with its file name. The caller must be able to read
    the ticket; files attached to internal notes are for staff only (404 for the client).
    """
    await service.ticket_for(session, ticket_id, client_id=_scope(principal))
    found = await TicketRepository(session).attachment(ticket_id, attachment_id)
    if found is None or (found[1] and not principal.is_staff):
        raise NotFound("No such attachment.")
    attachment = found[0]
    return Response(attachment.content, media_type=attachment.content_type, headers={
        "Content-Disposition": f'attachment; filename="{_safe_name(attachment.filename)}"',
        "X-Content-Type-Options": "nosniff"})


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name)[:200]

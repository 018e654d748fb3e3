"""S-6 quotes over HTTP: staff write one from a ticket; the client reads and accepts its own."""

import uuid

from fastapi import APIRouter

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import Forbidden, NotFound, problem_responses
from support.quotes import service
from support.quotes.repository import QuoteRepository
from support.quotes.schemas import QuoteCreate, QuotePublic
from support.runtime import RuntimeDep
from support.tickets.service import ticket_for

router = APIRouter(tags=["quotes"])


@router.post("/tickets/{ticket_id}/quotes", status_code=201,
             summary="Staff: send a quote from a ticket (catalog or free lines, currency, validity); client told",
             responses=problem_responses(401, 403, 404, 409, 422))
async def create_quote(ticket_id: uuid.UUID, body: QuoteCreate, principal: StaffPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> QuotePublic:
    """Staff only. Sends the ticket's client a quote: lines from the catalog or free-text ones, in a currency, valid
    until a date; the client is notified. 404 for an unknown ticket; 409 when it was merged into another; 422 when a
    line is invalid or the quote would be valid for less than today.
    """
    ticket = await ticket_for(session, ticket_id, client_id=None, for_update=True)
    quote = await service.create_quote(session=session, runtime=runtime, ticket=ticket, staff_id=principal.user_id,
                                       body=body)
    return (await service.views(session, runtime, [quote]))[0]


@router.get("/quotes", summary="Quotes: a client's own; staff all (filter by ticket)", responses=problem_responses(401))
async def list_quotes(principal: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep,
                      ticket_id: uuid.UUID | None = None, limit: PageSizeQuery = 50,
                      offset: OffsetQuery = 0) -> list[QuotePublic]:
    """A client gets its own quotes; staff everyone's, optionally of one ticket (`ticket_id`). Paged with `limit` and
    `offset`.
    """
    scope = None if principal.is_staff else principal.user_id
    quotes = await QuoteRepository(session).list(client_id=scope, ticket_id=ticket_id, limit=limit, offset=offset)
    return await service.views(session, runtime, quotes)


@router.get("/quotes/{quote_id}", summary="A quote with its lines", responses=problem_responses(401, 404))
async def get_quote(quote_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSessionDep,
                    runtime: RuntimeDep) -> QuotePublic:
    """A quote with its number, lines, total, validity and status (sent, accepted or expired). A client reads only its
    own (404 for any other).
    """
    quote = await QuoteRepository(session).get(quote_id)
    if quote is None or (not principal.is_staff and quote.client_id != principal.user_id):
        raise NotFound("No such quote.")
    return (await service.views(session, runtime, [quote]))[0]


@router.post("/quotes/{quote_id}/accept",
             summary="Accept my quote: the order is placed and its invoice issued",
             responses=problem_responses(401, 403, 404, 409))
async def accept_quote(quote_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> QuotePublic:
    """Only the client the quote is for (403 for staff). Accepting places the order and issues its invoice; returns the
    quote accepted. 409 when it was accepted already or has expired (ask for a new one).
    """
    if principal.is_staff:
        raise Forbidden("Only the client a quote is for can accept it.")
    quote = await service.accept_quote(session=session, runtime=runtime, quote_id=quote_id,
                                       client_id=principal.user_id)
    return (await service.views(session, runtime, [quote]))[0]

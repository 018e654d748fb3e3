"""S-6: staff send a quote from a ticket (N-2 `QuoteAvailable`); the client accepts it before it expires, and billing
places the order and issues its invoice from `QuoteAccepted`, once."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, InvalidInput, NotFound
from abono.events import QuoteAccepted, QuoteAvailable, QuoteLineInfo
from abono.messaging import emit
from abono.metrics import count_after_commit
from abono.money import Money, MoneyModel
from support.metrics import QUOTES
from support.quotes.models import Quote, QuoteLine
from support.quotes.repository import QuoteRepository
from support.quotes.schemas import QuoteCreate, QuoteLinePublic, QuotePublic
from support.runtime import Runtime
from support.tickets.models import Ticket
from support.tickets.service import CODE_ALPHABET

NUMBER_LENGTH = 8


def _today(runtime: Runtime) -> date:
    return runtime.settings.business_hours().local_date(runtime.clock.now())


async def _new_number(repo: QuoteRepository) -> str:
    while True:
        number = "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(NUMBER_LENGTH))
        if not await repo.number_taken(number):
            return number


async def create_quote(*, session: AsyncSession, runtime: Runtime, ticket: Ticket, staff_id: uuid.UUID,
                       body: QuoteCreate) -> Quote:
    if ticket.merged_into is not None:
        raise Conflict("This ticket was merged into another one.")
    today = _today(runtime)
    valid_until = body.valid_until or today + timedelta(days=runtime.settings.quote_default_validity_days)
    if valid_until < today:
        raise InvalidInput("A quote must be valid at least until today.")
    try:
        amounts = [Money(line.unit_price_minor, body.currency).times(line.quantity) for line in body.lines]
        total = sum(amounts, Money.zero(body.currency))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    repo = QuoteRepository(session)
    quote = Quote(id=uuid.uuid4(), number=await _new_number(repo), ticket_id=ticket.id, client_id=ticket.client_id,
                  title=body.title, currency=body.currency, total_minor=total.amount_minor, valid_until=valid_until,
                  status="sent", created_by=staff_id, created_at=runtime.clock.now())
    await repo.add(quote, [QuoteLine(id=uuid.uuid4(), quote_id=quote.id, position=i, description=line.description,
                                     product_code=line.product_code, cycle=line.cycle, quantity=line.quantity,
                                     unit_price_minor=line.unit_price_minor)
                           for i, line in enumerate(body.lines, start=1)])
    count_after_commit(session, QUOTES, outcome="sent")
    await emit(session, QuoteAvailable(quote_id=quote.id, client_id=quote.client_id, number=quote.number,
                                       title=quote.title, total=MoneyModel.of(total), valid_until=valid_until,
                                       ticket_id=ticket.id, occurred_at=quote.created_at))
    return quote


async def accept_quote(*, session: AsyncSession, runtime: Runtime, quote_id: uuid.UUID,
                       client_id: uuid.UUID) -> Quote:
    """The client orders what the quote lists: once, and only while it is valid."""
    repo = QuoteRepository(session)
    quote = await repo.get(quote_id, for_update=True)
    if quote is None or quote.client_id != client_id:
        raise NotFound("No such quote.")
    if quote.status == "accepted":
        raise Conflict("This quote was already accepted.")
    if quote.valid_until < _today(runtime):
        raise Conflict(f"This quote expired on {quote.valid_until.isoformat()}; ask for a new one.")
    now = runtime.clock.now()
    quote.status, quote.accepted_at = "accepted", now
    lines = await repo.lines([quote.id])
    count_after_commit(session, QUOTES, outcome="accepted")
    await emit(session, QuoteAccepted(
        quote_id=quote.id, client_id=quote.client_id, number=quote.number, title=quote.title, currency=quote.currency,
        total=MoneyModel(amount_minor=quote.total_minor, currency=quote.currency), ticket_id=quote.ticket_id,
        occurred_at=now, lines=[QuoteLineInfo(
            description=line.description, quantity=line.quantity, product_code=line.product_code, cycle=line.cycle,
            unit_price=MoneyModel(amount_minor=line.unit_price_minor, currency=quote.currency)) for line in lines]))
    return quote


def status_of(quote: Quote, today: date) -> str:
    return "expired" if quote.status == "sent" and quote.valid_until < today else quote.status


async def views(session: AsyncSession, runtime: Runtime, quotes: Sequence[Quote]) -> list[QuotePublic]:
    lines: dict[uuid.UUID, list[QuoteLinePublic]] = {}
    by_id = {q.id: q for q in quotes}
    for line in await QuoteRepository(session).lines(list(by_id)):
        currency = by_id[line.quote_id].currency
        unit = MoneyModel(amount_minor=line.unit_price_minor, currency=currency)
        lines.setdefault(line.quote_id, []).append(QuoteLinePublic(
            description=line.description, quantity=line.quantity, unit_price=unit, product_code=line.product_code,
            cycle=line.cycle, amount=MoneyModel(amount_minor=line.unit_price_minor * line.quantity,
                                                currency=currency)))
    today = _today(runtime)
    return [QuotePublic(id=q.id, number=q.number, ticket_id=q.ticket_id, client_id=q.client_id, title=q.title,
                        total=MoneyModel(amount_minor=q.total_minor, currency=q.currency), valid_until=q.valid_until,
                        status=status_of(q, today), created_at=q.created_at, accepted_at=q.accepted_at,
                        lines=lines.get(q.id, [])) for q in quotes]

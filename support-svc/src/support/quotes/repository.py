import uuid
from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from support.quotes.models import Quote, QuoteLine


class QuoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, quote: Quote, lines: Sequence[QuoteLine]) -> None:
        self.session.add(quote)
        await self.session.flush()
        self.session.add_all(lines)
        await self.session.flush()

    async def get(self, quote_id: uuid.UUID, *, for_update: bool = False) -> Quote | None:
        query = select(Quote).where(Quote.id == quote_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def number_taken(self, number: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Quote.number == number))))

    async def lines(self, quote_ids: Sequence[uuid.UUID]) -> Sequence[QuoteLine]:
        if not quote_ids:
            return []
        return (await self.session.scalars(select(QuoteLine).where(QuoteLine.quote_id.in_(quote_ids))
                                           .order_by(QuoteLine.quote_id, QuoteLine.position))).all()

    async def list(self, *, client_id: uuid.UUID | None, ticket_id: uuid.UUID | None, limit: int,
                   offset: int) -> Sequence[Quote]:
        query = select(Quote)
        if client_id is not None:
            query = query.where(Quote.client_id == client_id)
        if ticket_id is not None:
            query = query.where(Quote.ticket_id == ticket_id)
        return (await self.session.scalars(query.order_by(Quote.created_at.desc()).limit(limit).offset(offset))).all()

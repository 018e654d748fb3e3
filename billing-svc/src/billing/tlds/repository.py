import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.tlds.models import TldPrice


class TldPriceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, product_id: uuid.UUID, cycle: str, currency: str) -> TldPrice | None:
        return await self.session.get(TldPrice, (product_id, cycle, currency))

    async def of_products(self, product_ids: Sequence[uuid.UUID]) -> dict[tuple[uuid.UUID, str, str], TldPrice]:
        rows = await self.session.scalars(select(TldPrice).where(TldPrice.product_id.in_(product_ids)))
        return {(r.product_id, r.cycle, r.currency): r for r in rows}

    async def put(self, *, product_id: uuid.UUID, cycle: str, currency: str, register_minor: int,
                  transfer_minor: int) -> None:
        values = {"register_minor": register_minor, "transfer_minor": transfer_minor}
        stmt = insert(TldPrice).values(product_id=product_id, cycle=cycle, currency=currency, **values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[TldPrice.product_id, TldPrice.cycle, TldPrice.currency], set_=values))


async def order_price_minor(session: AsyncSession, *, product_id: uuid.UUID, cycle: str, currency: str,
                            transfer: bool) -> int | None:
    """D-1: a domain order's price (register, or transfer in), None where the TLD list has none (catalog price)."""
    row = await TldPriceRepository(session).get(product_id, cycle, currency)
    if row is None:
        return None
    return row.transfer_minor if transfer else row.register_minor

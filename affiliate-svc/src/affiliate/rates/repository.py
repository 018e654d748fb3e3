import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from affiliate.rates.models import CommissionRate


class RateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> dict[str, Decimal]:
        rows = await self.session.execute(select(CommissionRate.product_kind, CommissionRate.percent))
        return {kind: Decimal(percent) for kind, percent in rows}

    async def put(self, kind: str, percent: Decimal, *, by: uuid.UUID, at: datetime) -> None:
        stmt = insert(CommissionRate).values(product_kind=kind, percent=percent, updated_at=at, updated_by=by)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[CommissionRate.product_kind],
            set_={"percent": percent, "updated_at": at, "updated_by": by}))

    async def remove(self, kind: str) -> bool:
        result = await self.session.execute(delete(CommissionRate).where(CommissionRate.product_kind == kind)
                                            .returning(CommissionRate.product_kind))
        return result.first() is not None

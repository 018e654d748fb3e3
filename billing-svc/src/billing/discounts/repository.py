from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.discounts.models import Coupon


class CouponRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_code(self, code: str, *, for_update: bool = False) -> Coupon | None:
        stmt = select(Coupon).where(Coupon.code == code)
        return await self.session.scalar(stmt.with_for_update() if for_update else stmt)

    async def remove(self, coupon: Coupon) -> None:
        await self.session.execute(delete(Coupon).where(Coupon.id == coupon.id))

    async def newest_first(self) -> list[Coupon]:
        return list(await self.session.scalars(select(Coupon).order_by(Coupon.created_at.desc())))

    async def add(self, coupon: Coupon) -> None:
        self.session.add(coupon)
        await self.session.flush()

    async def use_once(self, code: str) -> bool:
        """Count one use, atomically (two orders racing for the last use cannot both get it); False when none is
        left or the coupon was retired meanwhile."""
        result = await self.session.execute(
            update(Coupon).where(Coupon.code == code, Coupon.retired_at.is_(None),
                                 (Coupon.max_uses.is_(None)) | (Coupon.uses < Coupon.max_uses))
            .values(uses=Coupon.uses + 1).returning(Coupon.id))
        return result.first() is not None

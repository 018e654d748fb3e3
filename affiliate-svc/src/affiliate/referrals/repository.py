import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from affiliate.referrals.models import Affiliate, Attribution, AttributionStatus, Visit


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def affiliate(self, client_id: uuid.UUID) -> Affiliate | None:
        return await self.session.get(Affiliate, client_id)

    async def affiliate_by_code(self, code: str) -> Affiliate | None:
        return await self.session.scalar(select(Affiliate).where(Affiliate.code == code.strip().upper()))

    async def visit(self, visit_id: uuid.UUID) -> Visit | None:
        return await self.session.get(Visit, visit_id)

    async def attribution(self, client_id: uuid.UUID, *, for_update: bool = False) -> Attribution | None:
        return await self.session.get(Attribution, client_id, with_for_update=for_update)

    async def attributions_of(self, affiliate_id: uuid.UUID) -> list[Attribution]:
        return list(await self.session.scalars(select(Attribution).where(Attribution.affiliate_id == affiliate_id)
                                               .order_by(Attribution.signed_up_at.desc())))

    async def live_attributions_of(self, affiliate_id: uuid.UUID) -> list[Attribution]:
        """Attributed or held sign-ups of an affiliate, locked (a self-referral check may refuse them)."""
        return list(await self.session.scalars(select(Attribution).where(
            Attribution.affiliate_id == affiliate_id, Attribution.status != AttributionStatus.REFUSED.value,
        ).with_for_update()))

    async def signups_since(self, affiliate_id: uuid.UUID, since: datetime) -> int:
        count = await self.session.scalar(select(func.count()).select_from(Attribution).where(
            Attribution.affiliate_id == affiliate_id, Attribution.signed_up_at >= since,
            Attribution.status != AttributionStatus.REFUSED.value))
        return int(count or 0)

    async def visit_count(self, affiliate_id: uuid.UUID) -> int:
        count = await self.session.scalar(select(func.count()).select_from(Visit)
                                          .where(Visit.affiliate_id == affiliate_id))
        return int(count or 0)

    async def attributions(self, *, status: str | None, limit: int, offset: int) -> list[Attribution]:
        query = select(Attribution)
        if status is not None:
            query = query.where(Attribution.status == status)
        return list(await self.session.scalars(
            query.order_by(Attribution.signed_up_at.desc(), Attribution.client_id).limit(limit).offset(offset)))

    async def affiliates(self, *, limit: int, offset: int) -> list[Affiliate]:
        return list(await self.session.scalars(select(Affiliate).order_by(Affiliate.activated_at.desc(),
                                                                          Affiliate.client_id)
                                               .limit(limit).offset(offset)))

    async def add_affiliate(self, **values: Any) -> bool:
        """Turn an affiliate account on, once; whether it was created now."""
        inserted = await self.session.execute(insert(Affiliate).values(**values).on_conflict_do_nothing(
            index_elements=[Affiliate.client_id]).returning(Affiliate.client_id))
        return inserted.first() is not None

    async def add_attribution(self, **values: Any) -> bool:
        """A sign-up's attribution, once per referred client; whether it was decided now."""
        inserted = await self.session.execute(insert(Attribution).values(**values).on_conflict_do_nothing(
            index_elements=[Attribution.client_id]).returning(Attribution.client_id))
        return inserted.first() is not None

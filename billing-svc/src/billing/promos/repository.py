import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.clients.models import Client
from billing.invoices.models import Invoice, InvoiceStatus
from billing.promos.models import ReferralReward, TwoForOneOrder, TwoForOnePair


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reward_of(self, referred_id: uuid.UUID) -> ReferralReward | None:
        return await self.session.get(ReferralReward, referred_id)

    async def add_reward_once(self, reward: ReferralReward) -> bool:
        """Record a referred friend's reward unless one exists (another payment got there first): True if new."""
        values = {c.key: getattr(reward, c.key) for c in ReferralReward.__table__.columns}
        inserted = await self.session.execute(insert(ReferralReward).values(**values).on_conflict_do_nothing(
            index_elements=[ReferralReward.referred_id]).returning(ReferralReward.referred_id))
        return inserted.first() is not None

    async def referred_count(self, client: Client) -> int:
        """Friends who signed up with the client's code."""
        return int(await self.session.scalar(select(func.count()).select_from(Client).where(
            (Client.referrer_id == client.id) | (Client.referred_by_code == client.referral_code))) or 0)

    async def rewards_by_currency(self, referrer_id: uuid.UUID) -> list[tuple[str, int, int]]:
        """(currency, friends rewarded, credit earned) of a referrer."""
        rows = await self.session.execute(
            select(ReferralReward.currency, func.count(), func.sum(ReferralReward.amount_minor))
            .where(ReferralReward.referrer_id == referrer_id).group_by(ReferralReward.currency)
            .order_by(ReferralReward.currency))
        return [(currency, int(count), int(total)) for currency, count, total in rows]


class TwoForOneRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pair(self, low: uuid.UUID, high: uuid.UUID) -> TwoForOnePair | None:
        return await self.session.get(TwoForOnePair, (low, high))

    async def orders_naming(self, *, client_id: uuid.UUID, partner_id: uuid.UUID,
                            since: datetime) -> list[TwoForOneOrder]:
        """`client_id`'s orders since `since` that named `partner_id`, oldest first (a cancelled one does not
        count)."""
        return list(await self.session.scalars(
            select(TwoForOneOrder).join(Invoice, Invoice.id == TwoForOneOrder.invoice_id).where(
                TwoForOneOrder.client_id == client_id, TwoForOneOrder.partner_id == partner_id,
                TwoForOneOrder.ordered_at >= since, Invoice.status != InvoiceStatus.CANCELLED.value,
            ).order_by(TwoForOneOrder.ordered_at)))

    async def add_orders(self, orders: Sequence[TwoForOneOrder]) -> None:
        self.session.add_all(orders)
        await self.session.flush()

    async def add_pair_once(self, pair: TwoForOnePair) -> bool:
        """Record the pair unless it exists: True if new."""
        values = {c.key: getattr(pair, c.key) for c in TwoForOnePair.__table__.columns}
        inserted = await self.session.execute(
            insert(TwoForOnePair).values(**values).on_conflict_do_nothing().returning(TwoForOnePair.client_low))
        return inserted.first() is not None

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.subscriptions.models import Subscription, SubscriptionStatus


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, subscription_id: uuid.UUID, *, for_update: bool = False,
                  skip_locked: bool = False) -> Subscription | None:
        stmt = select(Subscription).where(Subscription.id == subscription_id)
        if for_update:
            stmt = stmt.with_for_update(skip_locked=skip_locked)
        return await self.session.scalar(stmt)

    async def many(self, ids: Sequence[uuid.UUID], *, for_update: bool = False) -> list[Subscription]:
        stmt = select(Subscription).where(Subscription.id.in_(ids)).order_by(Subscription.created_at)
        if for_update:
            stmt = stmt.with_for_update()
        return list(await self.session.scalars(stmt))

    async def for_client(self, client_id: uuid.UUID, *, statuses: Sequence[str] | None = None) -> list[Subscription]:
        stmt = select(Subscription).where(Subscription.client_id == client_id).order_by(Subscription.created_at)
        if statuses is not None:
            stmt = stmt.where(Subscription.status.in_(statuses))
        return list(await self.session.scalars(stmt))

    async def count_renewing_at(self, product_id: uuid.UUID, cycle: str, currency: str) -> int:
        """The services that will renew at this product's price for `cycle` and `currency` (pending, active or
        suspended, set to renew)."""
        live = (SubscriptionStatus.PENDING.value, SubscriptionStatus.ACTIVE.value, SubscriptionStatus.SUSPENDED.value)
        return int(await self.session.scalar(select(func.count()).select_from(Subscription).where(
            Subscription.product_id == product_id, Subscription.cycle == cycle, Subscription.currency == currency,
            Subscription.status.in_(live), Subscription.renew.is_(True))) or 0)

    async def count_active(self, client_id: uuid.UUID) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Subscription).where(
            Subscription.client_id == client_id, Subscription.status == SubscriptionStatus.ACTIVE)) or 0)

    async def any_suspended(self, client_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(
            Subscription.client_id == client_id, Subscription.status == SubscriptionStatus.SUSPENDED))))

    async def has_any(self, client_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(Subscription.client_id == client_id))))

    async def ending(self, today: date) -> list[uuid.UUID]:
        """B-15: running services whose end has come (cancelled for the end of their period, or not renewing)."""
        return list(await self.session.scalars(select(Subscription.id).where(
            Subscription.status.in_([SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED]),
            ((Subscription.ends_on.is_not(None)) & (Subscription.ends_on <= today))
            | (Subscription.renew.is_(False) & (Subscription.next_due_on <= today)),
        ).order_by(Subscription.next_due_on)))

    async def add_all(self, subscriptions: Sequence[Subscription]) -> None:
        self.session.add_all(subscriptions)
        await self.session.flush()


import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from billing.subscriptions.models import Subscription, SubscriptionStatus

_PENDING = SubscriptionStatus.PENDING.value
# B-7: one UPDATE ... RETURNING per paid period, the rows locked first in `many(for_update=True)`'s order.
_EXTEND_PAID = text("""
UPDATE subscriptions s
SET next_due_on = greatest(s.next_due_on, :period_end_on),
    status = CASE WHEN locked.status = 'pending' THEN 'active' ELSE s.status END,
    activated_on = CASE WHEN locked.status = 'pending' THEN :on ELSE s.activated_on END,
    updated_at = :at
FROM (SELECT id, status FROM subscriptions WHERE id = ANY(:ids) ORDER BY created_at FOR UPDATE) AS locked
WHERE s.id = locked.id
RETURNING s.id, locked.status AS was, s.created_at, s.status, s.next_due_on, s.activated_on, s.updated_at""")
# B-7, B-8: the client's suspended services back to active, the cycle one step longer when `stretch` (the steps of
# `Cycle.longer`), locked in primary key order (the order the ORM's flush updated them in before).
_REACTIVATE = text("""
UPDATE subscriptions s
SET status = 'active', updated_at = :at,
    cycle = CASE WHEN :stretch THEN CASE s.cycle WHEN 'monthly' THEN 'quarterly' WHEN 'quarterly' THEN 'semiannual'
                                                 WHEN 'semiannual' THEN 'annual' ELSE s.cycle END
            ELSE s.cycle END
FROM (SELECT id FROM subscriptions WHERE client_id = :client_id AND status = 'suspended' ORDER BY id FOR UPDATE)
     AS locked
WHERE s.id = locked.id
RETURNING s.id, s.created_at, s.status, s.cycle, s.updated_at""")


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

    async def extend_paid(self, ids: Sequence[uuid.UUID], *, period_end_on: date, on: date,
                          at: datetime) -> list[uuid.UUID]:
        """B-7: the services of a paid period are due no earlier than its end, and a pending one is active from
        `on`; returns those that were pending, in creation order."""
        rows = sorted((await self.session.execute(_EXTEND_PAID, {
            "ids": list(ids), "period_end_on": period_end_on, "on": on, "at": at})).all(), key=lambda r: r.created_at)
        self._told(rows, ("status", "next_due_on", "activated_on", "updated_at"))
        return [r.id for r in rows if r.was == _PENDING]

    async def reactivate_suspended(self, client_id: uuid.UUID, *, at: datetime, stretch: bool) -> list[uuid.UUID]:
        """B-7: every suspended service of the client active again (B-8: its cycle one step longer if `stretch`);
        returns them in creation order."""
        rows = sorted((await self.session.execute(_REACTIVATE, {
            "client_id": client_id, "at": at, "stretch": stretch})).all(), key=lambda r: r.created_at)
        self._told(rows, ("status", "cycle", "updated_at"))
        return [r.id for r in rows]

    def _told(self, rows: Sequence[Any], keys: Sequence[str]) -> None:
        """Subscriptions this session has loaded learn the values a statement wrote (as if they had written them)."""
        loaded = self.session.sync_session.identity_map
        for row in rows:
            sub = loaded.get(identity_key(Subscription, row.id))
            if sub is not None:
                for key in keys:
                    set_committed_value(sub, key, getattr(row, key))

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


"""The facts about a client the discount engine weighs (B-12 active services, B-13 a suspended service)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from billing.discounts.engine import DiscountContext
from billing.subscriptions.repository import SubscriptionRepository


async def discount_context(*, session: AsyncSession, client_id: uuid.UUID, payment_method: str | None,
                           bundle: bool) -> DiscountContext:
    """B-12's facts about the client (active services) and B-13 (a suspended service: no discount)."""
    subs = SubscriptionRepository(session)
    return DiscountContext(active_services=await subs.count_active(client_id), payment_method=payment_method,
                           suspended=await subs.any_suspended(client_id), bundle=bundle)

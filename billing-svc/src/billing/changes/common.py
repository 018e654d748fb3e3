"""What every change needs: the client's own service with its product, locks taken in a safe order."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, NotFound
from billing.catalog.models import Product
from billing.catalog.repository import CatalogRepository
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.subscriptions.models import Subscription, SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository

ENDED = (SubscriptionStatus.TERMINATED.value, SubscriptionStatus.CANCELLED.value)


async def owned_service(session: AsyncSession, client_id: uuid.UUID, service_id: uuid.UUID
                        ) -> tuple[Subscription, Product]:
    """The client's own service and its product; another client's service is "not found".

    Not locked yet: a change takes its locks in the order payments and renewals do (the client's renewal lock, then
    invoices, then subscriptions: `lock`), so it can never deadlock with them.
    """
    sub = await SubscriptionRepository(session).get(service_id)
    if sub is None or sub.client_id != client_id:
        raise NotFound("No such service.")
    product = await CatalogRepository(session).get(sub.product_id)
    if product is None:
        raise NotFound("No such service.")
    return sub, product


async def lock(session: AsyncSession, sub: Subscription) -> None:
    """Lock the subscription and read it afresh."""
    await session.refresh(sub, with_for_update=True)


def require_not_ended(sub: Subscription) -> None:
    if sub.status in ENDED:
        raise Conflict(f"This service is {sub.status}.")
    if sub.ends_on is not None:
        raise Conflict(f"This service is cancelled: it ends on {sub.ends_on}.")


def today_of(clock: Clock, settings: BillingSettings) -> date:
    return local_date(clock.now(), settings.calendar_timezone)

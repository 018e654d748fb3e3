import uuid
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.invoices.models import BillingPeriod
from billing.subscriptions.models import Subscription, SubscriptionStatus

RENEWING = (SubscriptionStatus.ACTIVE.value, SubscriptionStatus.SUSPENDED.value)


def due_conditions(horizon: date) -> list[Any]:
    """The subscriptions whose next period is to be invoiced by `horizon` and is not invoiced yet."""
    return [
        Subscription.status.in_(RENEWING),
        Subscription.renew.is_(True),  # B-15: a service set not to renew (a domain) ends at its due date
        Subscription.next_due_on <= horizon,
        Subscription.ends_on.is_(None) | (Subscription.ends_on > Subscription.next_due_on),
        ~exists().where(BillingPeriod.subscription_id == Subscription.id,
                        BillingPeriod.period_start_on == Subscription.next_due_on),
    ]


class RenewalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due_clients(self, horizon: date) -> list[uuid.UUID]:
        """The clients with a subscription due for renewal by `horizon`, in id order."""
        return list(await self.session.scalars(
            select(Subscription.client_id).where(*due_conditions(horizon)).distinct()
            .order_by(Subscription.client_id)))

    async def period_invoice(self, subscription_id: uuid.UUID, period_start_on: date) -> uuid.UUID | None:
        """The invoice that claimed the subscription's period starting `period_start_on`, if any."""
        return await self.session.scalar(select(BillingPeriod.invoice_id).where(
            BillingPeriod.subscription_id == subscription_id, BillingPeriod.period_start_on == period_start_on))

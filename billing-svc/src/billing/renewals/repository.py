import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from abono.messaging.tables import urgent_unpublished
from billing.db import metadata
from billing.invoices.models import BillingPeriod
from billing.payments.models import ProviderEvent
from billing.subscriptions.models import Subscription, SubscriptionStatus

RENEWING = (SubscriptionStatus.ACTIVE.value, SubscriptionStatus.SUSPENDED.value)
# Work pending longer than this is a provider or the broker down (their sweeps retry it), not a payment in progress.
URGENT_WINDOW = timedelta(minutes=1)
_outbox = metadata.tables["outbox"]
# Both through partial indexes of pending rows (`ix_outbox_pending_lane`, `ix_provider_events_unprocessed`).
# A webhook whose processing failed (attempts counted) waits for its retry: not a payment in progress either.
_URGENT_WORK_PENDING = select(or_(
    exists().where(ProviderEvent.processed_at.is_(None), ProviderEvent.attempts == 0,
                   ProviderEvent.received_at > func.now() - URGENT_WINDOW),
    urgent_unpublished(_outbox, since=func.now() - URGENT_WINDOW),
))


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

    async def urgent_work_pending(self) -> bool:
        """A payment in progress (issue 20): a provider's webhook neither processed nor failed yet, or an urgent event
        (a payment's `InvoicePaid`, a reactivation) not published yet, from the last minute."""
        return bool(await self.session.scalar(_URGENT_WORK_PENDING))

    async def period_invoice(self, subscription_id: uuid.UUID, period_start_on: date) -> uuid.UUID | None:
        """The invoice that claimed the subscription's period starting `period_start_on`, if any."""
        return await self.session.scalar(select(BillingPeriod.invoice_id).where(
            BillingPeriod.subscription_id == subscription_id, BillingPeriod.period_start_on == period_start_on))

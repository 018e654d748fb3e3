"""A settled invoice moves its services on (B-7, B-8): each paid period extends its services' due date, a pending
service becomes active, and with nothing overdue any more every suspended service of the client comes back."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.config import BillingSettings
from billing.cycles import Cycle
from billing.domain_events import InvoiceSettled, SettlementEffects
from billing.subscriptions.models import SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository


async def move_services_on(session: AsyncSession, clock: Clock, settings: BillingSettings,
                           event: InvoiceSettled) -> SettlementEffects:
    """The `InvoiceSettled` handler of subscriptions."""
    subs = SubscriptionRepository(session)
    activated: list[uuid.UUID] = []
    for period in event.periods:
        for sub in await subs.many(period.service_ids, for_update=True):
            sub.next_due_on = max(sub.next_due_on, period.period_end_on)
            if sub.status == SubscriptionStatus.PENDING:
                sub.status, sub.activated_on = SubscriptionStatus.ACTIVE.value, event.on
                activated.append(sub.id)
            sub.updated_at = event.at
    reactivated: list[uuid.UUID] = []
    if not event.client_has_overdue:  # B-7: nothing overdue any more → every suspended service comes back
        for sub in await subs.for_client(event.client_id, statuses=[SubscriptionStatus.SUSPENDED]):
            sub.status, sub.updated_at = SubscriptionStatus.ACTIVE.value, event.at
            if settings.stretch_cycle_after_suspension:  # B-8
                sub.cycle = Cycle(sub.cycle).longer().value
            reactivated.append(sub.id)
    await session.flush()
    return SettlementEffects(activated=tuple(activated), reactivated=tuple(reactivated))

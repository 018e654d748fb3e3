"""A settled invoice moves its services on (B-7, B-8): each paid period extends its services' due date, a pending
service becomes active, and with nothing overdue any more every suspended service of the client comes back."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.config import BillingSettings
from billing.domain_events import InvoiceSettled, SettlementEffects
from billing.subscriptions.repository import SubscriptionRepository


async def move_services_on(session: AsyncSession, clock: Clock, settings: BillingSettings,
                           event: InvoiceSettled) -> SettlementEffects:
    """The `InvoiceSettled` handler of subscriptions: one UPDATE ... RETURNING per paid period and one for the
    reactivation (issue 20: was a SELECT ... FOR UPDATE per period, a SELECT of the suspended ones and the ORM's
    UPDATEs)."""
    subs = SubscriptionRepository(session)
    await session.flush()  # pending changes of loaded subscriptions go first, as the ORM's flush ordered them
    activated: list[uuid.UUID] = []
    for period in event.periods:
        activated += await subs.extend_paid(period.service_ids, period_end_on=period.period_end_on, on=event.on,
                                            at=event.at)
    reactivated: list[uuid.UUID] = []
    if not event.client_has_overdue:  # B-7: nothing overdue any more → every suspended service comes back
        # B-8: the cycle one step longer
        reactivated = await subs.reactivate_suspended(event.client_id, at=event.at,
                                                      stretch=settings.stretch_cycle_after_suspension)
    return SettlementEffects(activated=tuple(activated), reactivated=tuple(reactivated))

"""B-11: a client changes a service's billing cycle up to `cycle_change_min_days_before` days before its next
renewal; an unpaid renewal invoice already issued is cancelled and re-issued at the new cycle's price (B-9)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, InvalidInput
from billing.catalog.repository import CatalogRepository
from billing.changes.common import lock, owned_service, require_not_ended, today_of
from billing.config import BillingSettings
from billing.cycles import Cycle
from billing.invoices.models import Invoice
from billing.renewals.service import lock_client_renewals, reissue_renewal, unpaid_renewal_of
from billing.subscriptions.models import Subscription, SubscriptionStatus


@dataclass(frozen=True)
class CycleChange:
    subscription: Subscription
    cancelled: Invoice | None  # the unpaid renewal invoice it replaced
    reissued: Invoice | None


async def change_cycle(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                       service_id: uuid.UUID, cycle: Cycle) -> CycleChange:
    """Bill the service every `cycle` from its next renewal on."""
    sub, product = await owned_service(session, client_id, service_id)
    await lock_client_renewals(session, client_id)
    invoice = await unpaid_renewal_of(session, sub)
    await lock(session, sub)
    require_not_ended(sub)
    if sub.status == SubscriptionStatus.PENDING:
        raise Conflict("This service is not active yet: its first invoice is unpaid.")
    # C-2: the product's cycles; B-11: up to N days before the next renewal.
    if cycle.value not in product.cycles:
        raise InvalidInput(f"{product.name} is not billed {cycle.value}; it allows: {', '.join(product.cycles)}.")
    if await CatalogRepository(session).price(product.id, cycle.value, sub.currency) is None:
        raise InvalidInput(f"{product.name} has no {cycle.value} price in {sub.currency}.")
    if cycle.value == sub.cycle:
        raise Conflict(f"This service is billed {cycle.value} already.")
    last_day = sub.next_due_on - timedelta(days=settings.cycle_change_min_days_before)
    if today_of(clock, settings) > last_day:
        raise Conflict(f"The cycle can be changed up to {settings.cycle_change_min_days_before} days before the "
                       f"next renewal ({sub.next_due_on}); the last day was {last_day}.")
    previous = sub.cycle
    sub.cycle, sub.updated_at = cycle.value, clock.now()
    await session.flush()
    reissued = None
    if invoice is not None:
        reissued = await reissue_renewal(session=session, clock=clock, settings=settings, invoice=invoice,
                                         reason=f"Cambio de ciclo de facturación: de {Cycle(previous).spanish} a "
                                                f"{cycle.spanish}.")
    return CycleChange(sub, invoice, reissued)

"""B-15 cancellation by the client: immediate, or at the end of the paid period (the default); it requires no
unpaid invoices. Domains cannot be cancelled, only set not to renew (`renew: false`). A service ends once:
at once (immediate) or when the scheduler reaches its end date, with `TerminationDecided` (rule "B-15") so
provisioning removes it. Refunds stay with staff (invoices/service.py)."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict
from abono.events import TerminationDecided
from abono.messaging import emit
from billing.catalog.models import ProductKind
from billing.changes.common import ENDED, lock, owned_service, today_of
from billing.changes.repository import UpgradeRepository
from billing.changes.upgrades import withdraw_upgrade
from billing.config import BillingSettings
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.renewals.service import lock_client_renewals, reissue_renewal, unpaid_renewal_of
from billing.subscriptions.models import Subscription, SubscriptionStatus

CANCELLED = "Servicio cancelado."  # B-15: why its unpaid invoices were cancelled, as the client reads it

B15 = "B-15"


class CancelWhen(StrEnum):
    END_OF_PERIOD = "end_of_period"
    IMMEDIATE = "immediate"


async def _next_renewal(session: AsyncSession, sub: Subscription, today: date) -> Invoice | None:
    """The unpaid renewal invoice of the period after the paid one, if that period has not started: it is no debt
    yet, and a service that will not renew does not owe it (B-9: it is cancelled, or re-issued without it)."""
    renewal = await unpaid_renewal_of(session, sub)
    return renewal if renewal is not None and today < renewal.due_on else None


async def _drop_from_renewal(session: AsyncSession, clock: Clock, settings: BillingSettings, sub: Subscription,
                             renewal: Invoice | None, reason: str) -> None:
    if renewal is not None:
        await reissue_renewal(session=session, clock=clock, settings=settings, invoice=renewal, reason=reason,
                              without={sub.id})


def end_service(sub: Subscription, clock: Clock, on: date) -> None:
    sub.status, sub.ends_on, sub.updated_at = SubscriptionStatus.CANCELLED.value, on, clock.now()


def ends_by(sub: Subscription, today: date) -> bool:
    """Whether the service's end date has come: cancelled for the end of its period, or not renewing."""
    if sub.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED):
        return False
    return (sub.ends_on is not None and sub.ends_on <= today) or (not sub.renew and sub.next_due_on <= today)


async def cancel_service(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                         service_id: uuid.UUID, when: CancelWhen) -> Subscription:
    """B-15: cancel the service now, or at the end of its paid period; nothing may be left unpaid."""
    sub, product = await owned_service(session, client_id, service_id)
    if product.kind == ProductKind.DOMAIN:
        raise Conflict("A domain cannot be cancelled, only set not to renew: "
                       f"PATCH /services/{service_id} with {{\"renew\": false}}.")
    await lock_client_renewals(session, client_id)
    today = today_of(clock, settings)
    renewal = await _next_renewal(session, sub, today)
    upgrade = await UpgradeRepository(session).requested_for_service(sub.id, lock=False)
    allowed = {i.id for i in (renewal,) if i is not None} | ({upgrade.invoice_id} if upgrade else set())
    unpaid = [i for i in await InvoiceRepository(session).unpaid_for_client(client_id) if i.id not in allowed]
    if unpaid:
        raise Conflict("Cancelling requires no unpaid invoices; please pay these first: "
                       f"{', '.join(i.number for i in unpaid)}.", invoices=[i.number for i in unpaid])
    await lock(session, sub)
    if sub.status in ENDED:
        raise Conflict(f"This service is {sub.status} already.")
    if sub.ends_on is not None and when == CancelWhen.END_OF_PERIOD:
        raise Conflict(f"This service is cancelled already: it ends on {sub.ends_on}.")
    await withdraw_upgrade(session=session, clock=clock, service_id=sub.id, reason=CANCELLED)
    await _drop_from_renewal(session, clock, settings, sub, renewal, CANCELLED)
    if when == CancelWhen.IMMEDIATE:
        end_service(sub, clock, today)
        await session.flush()
        await emit(session, TerminationDecided(client_id=client_id, service_ids=[sub.id], rule=B15,
                                               occurred_at=clock.now()))
    else:  # no renewal from now on; the scheduler ends it on its due date
        sub.ends_on, sub.updated_at = sub.next_due_on, clock.now()
        await session.flush()
    return sub


async def set_renew(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                    service_id: uuid.UUID, renew: bool) -> Subscription:
    """B-15: switch the service's renewal off (it ends on its due date; the way a domain stops) or back on."""
    sub, _ = await owned_service(session, client_id, service_id)
    await lock_client_renewals(session, client_id)
    today = today_of(clock, settings)
    renewal = await unpaid_renewal_of(session, sub)
    await lock(session, sub)
    if sub.status in ENDED:
        raise Conflict(f"This service is {sub.status}.")
    if renew and sub.ends_on is not None:
        raise Conflict(f"This service is cancelled: it ends on {sub.ends_on}.")
    if not renew and sub.renew and renewal is not None:
        if today >= renewal.due_on:
            raise Conflict(f"Its renewal invoice {renewal.number} is due: pay it first.")
        await _drop_from_renewal(session, clock, settings, sub, renewal, "El servicio no se renovará.")  # B-15
    sub.renew, sub.updated_at = renew, clock.now()
    await session.flush()
    return sub

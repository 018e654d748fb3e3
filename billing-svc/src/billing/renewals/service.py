"""Renewal lines (B-12, B-13, B-16), the client's renewal lock, and the re-issue of an unpaid renewal invoice (B-9)
(the renewal run itself writes through `batch.renew_chunk`). Only flushes: the caller owns the transaction.

B-9: an issued invoice never changes; a change cancels it (its credit comes back) and a new one is issued. A renewal
invoice may hold several services (B-1): the re-issue holds every one of them that still renews, each at the current
price and terms (B-16), so the change of one service never drops another's renewal.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing import locks
from billing.catalog.repository import CatalogRepository
from billing.config import BillingSettings
from billing.cycles import Cycle, period_end
from billing.discounts.context import discount_context
from billing.discounts.engine import LineRequest, price_line
from billing.discounts.policy import policy_from
from billing.invoices.issuing import DraftLine, issue_invoice
from billing.invoices.models import Invoice, InvoiceKind, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.service import cancel_invoice
from billing.locks import LockKind
from billing.renewals.batch import renewal_description
from billing.renewals.repository import RENEWING, RenewalRepository
from billing.subscriptions.models import Subscription
from billing.subscriptions.repository import SubscriptionRepository

log = structlog.get_logger("billing.renewals")
B16_NOTE = "Renovación al precio y las condiciones vigentes."  # B-16


async def lock_client_renewals(session: AsyncSession, client_id: uuid.UUID) -> None:
    """Hold the lock the renewal run takes per client, so a change and a renewal never interleave (B-2)."""
    await locks.hold(session, LockKind.RENEWALS, client_id)


async def try_lock_client_renewals(session: AsyncSession, client_id: uuid.UUID) -> bool:
    """`lock_client_renewals` if free now; False when another replica or a change holds it."""
    return await locks.try_hold(session, LockKind.RENEWALS, client_id)


async def renewal_line(*, session: AsyncSession, settings: BillingSettings, sub: Subscription,
                       due_on: date) -> DraftLine | None:
    """The renewal line of `sub` for the period starting `due_on`: current price and discounts (B-12, B-13, B-16);
    None (logged) when its product has no price for its cycle and currency."""
    catalog = CatalogRepository(session)
    product, price = await catalog.get(sub.product_id), await catalog.price(sub.product_id, sub.cycle, sub.currency)
    if product is None or price is None:
        log.warning("renewal_without_price", subscription_id=str(sub.id), cycle=sub.cycle, currency=sub.currency)
        return None
    context = await discount_context(session=session, client_id=sub.client_id, payment_method=sub.payment_method,
                                     bundle=False)
    priced = price_line(LineRequest(Money(price.amount_minor, sub.currency), 1, sub.cycle),
                        policy=policy_from(settings), context=context)
    end = period_end(due_on, Cycle(sub.cycle))
    return DraftLine(kind="service", description=renewal_description(product.name, sub.cycle, due_on, end),
                     priced=priced, service_ids=(sub.id,), product_id=product.id, cycle=sub.cycle,
                     period_start_on=due_on, period_end_on=end)


async def unpaid_renewal_of(session: AsyncSession, sub: Subscription) -> Invoice | None:
    """The unpaid renewal invoice already issued for `sub`'s next period, locked; None if there is none."""
    invoice_id = await RenewalRepository(session).period_invoice(sub.id, sub.next_due_on)
    if invoice_id is None:
        return None
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True)
    if invoice is None or invoice.status != InvoiceStatus.UNPAID or invoice.kind != InvoiceKind.RENEWAL:
        return None
    return invoice


async def reissue_renewal(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice: Invoice,
                          reason: str, without: Collection[uuid.UUID] = ()) -> Invoice | None:
    """Cancel a renewal invoice and issue its replacement for its services (but `without`) that still renew."""
    repo = InvoiceRepository(session)
    service_ids = [sid for line in await repo.lines(invoice.id) if line.kind == "service"
                   for sid in line.service_ids if sid not in without]
    await cancel_invoice(session=session, clock=clock, invoice=invoice, reason=reason)
    subs = await SubscriptionRepository(session).many(service_ids, for_update=True) if service_ids else []
    drafts = []
    for sub in subs:
        if sub.status not in RENEWING or not sub.renew or (sub.ends_on is not None and sub.ends_on <= sub.next_due_on):
            continue
        draft = await renewal_line(session=session, settings=settings, sub=sub, due_on=sub.next_due_on)
        if draft is not None:
            drafts.append(draft)
    if not drafts:
        return None
    new = await issue_invoice(
        session=session, clock=clock, settings=settings, client_id=invoice.client_id, currency=invoice.currency,
        kind=InvoiceKind.RENEWAL, due_on=invoice.due_on, lines=drafts, payment_method=invoice.payment_method,
        note=f"{B16_NOTE} Reemplaza la factura {invoice.number}, anulada: {reason}")
    await repo.claim_periods(new.id, [(d.service_ids[0], d.period_start_on) for d in drafts
                                      if d.period_start_on is not None])
    return new

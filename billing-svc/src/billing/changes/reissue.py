"""B-9: an issued invoice never changes; a change cancels it (its credit comes back) and a new one is issued.

A renewal invoice may hold several services (B-1): the re-issue holds every one of them that still renews, each
at the current price and terms (B-16), so the change of one service never drops another's renewal.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import InvoiceCancelled
from abono.messaging import emit
from abono.money import Money
from billing.config import BillingSettings
from billing.invoices.issuing import issue_invoice
from billing.invoices.models import BillingPeriod, Invoice, InvoiceKind, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.payments import credit
from billing.scheduler.renewals import B16_NOTE, RENEWING, renewal_line
from billing.subscriptions.models import Subscription
from billing.subscriptions.repository import SubscriptionRepository


async def lock_client_renewals(session: AsyncSession, client_id: uuid.UUID) -> None:
    """Hold the lock the renewal run takes per client, so a change and a renewal never interleave (B-2)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"renewals:{client_id}"})


async def unpaid_renewal_of(session: AsyncSession, sub: Subscription) -> Invoice | None:
    """The unpaid renewal invoice already issued for `sub`'s next period, locked; None if there is none."""
    invoice_id = await session.scalar(select(BillingPeriod.invoice_id).where(
        BillingPeriod.subscription_id == sub.id, BillingPeriod.period_start_on == sub.next_due_on))
    if invoice_id is None:
        return None
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True)
    if invoice is None or invoice.status != InvoiceStatus.UNPAID or invoice.kind != InvoiceKind.RENEWAL:
        return None
    return invoice


async def cancel_invoice(*, session: AsyncSession, clock: Clock, invoice: Invoice, reason: str) -> None:
    """Cancel an unpaid invoice: its periods are freed, the credit it used returns (B-10), `InvoiceCancelled`."""
    now = clock.now()
    invoice.status, invoice.cancelled_at, invoice.cancel_reason = InvoiceStatus.CANCELLED.value, now, reason
    await InvoiceRepository(session).release_periods(invoice.id)
    if invoice.credit_applied_minor > 0:
        await credit.lock_credit(session, invoice.client_id)
        await credit.add_entry(session, client_id=invoice.client_id,
                               amount=Money(invoice.credit_applied_minor, invoice.currency),
                               reason="returned from cancelled invoice", invoice_id=invoice.id, at=now)
    await session.flush()
    await emit(session, InvoiceCancelled(invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number,
                                         reason=reason, occurred_at=now))


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

"""A provider's payment for a batch of invoices (issue #13 item 3): split over the batch's invoices, each invoice
applied through `apply_payment` under a key of its own derived from the provider's payment key, so a replayed
notification changes nothing (B-19). An invoice paid otherwise meanwhile turns its share into credit (B-10); the
parts always add up to the provider's amount."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing.config import BillingSettings
from billing.invoices.repository import InvoiceRepository
from billing.payments.batch_repository import BatchRepository
from billing.payments.models import AttemptStatus, PaymentBatch
from billing.payments.provider import ProviderPayment
from billing.payments.service import apply_payment

log = structlog.get_logger("billing.payments")


async def batch_for(session: AsyncSession, payment: ProviderPayment) -> PaymentBatch | None:
    """The batch a provider payment is for, locked: the id or the reference that stood for an invoice's."""
    batches = BatchRepository(session)
    if payment.invoice_id is not None and (found := await batches.get(payment.invoice_id)) is not None:
        return await batches.get(found.id, for_update=True)
    found = await batches.by_reference(payment.reference) if payment.reference else None
    return await batches.get(found.id, for_update=True) if found is not None else None


async def apply_batch_payment(*, session: AsyncSession, clock: Clock, settings: BillingSettings,
                              batch: PaymentBatch, payment: ProviderPayment) -> str:
    """Apply an approved payment of a (locked) batch once; "applied", or "duplicate" when seen before."""
    if payment.amount.currency != batch.currency:
        log.warning("batch_payment_currency_mismatch", batch_id=str(batch.id), payment_id=payment.payment_id)
        return "unmatched"
    items = [item for item in await BatchRepository(session).items(batch.id) if item.amount_minor > 0]
    if not items:  # credit paid it all and no checkout was made: nothing of ours asked for this money
        log.warning("batch_payment_unexpected", batch_id=str(batch.id), payment_id=payment.payment_id)
        return "unmatched"
    invoices = InvoiceRepository(session)
    for item in sorted(items, key=lambda i: i.invoice_id):  # locked in the order a batch's creation locks them
        await invoices.get(item.invoice_id, for_update=True)
    left = payment.amount
    duplicates = []
    for index, item in enumerate(items):
        share = left if index == len(items) - 1 else min(left, Money(item.amount_minor, batch.currency))
        if share.amount_minor <= 0:
            break
        result = await apply_payment(session=session, clock=clock, settings=settings, invoice_id=item.invoice_id,
                                     amount=share, method=payment.provider,
                                     payment_key=f"{payment.payment_key}:{item.invoice_id}",
                                     payer_fingerprint=payment.payer_fingerprint)
        duplicates.append(result.duplicate)
        left = left - share
    if batch.status != AttemptStatus.PAID:
        batch.status, batch.paid_at = AttemptStatus.PAID.value, clock.now()
    log.info("batch_payment_applied", provider=payment.provider, payment_id=payment.payment_id,
             batch_id=str(batch.id), duplicate=all(duplicates))
    return "duplicate" if duplicates and all(duplicates) else "applied"

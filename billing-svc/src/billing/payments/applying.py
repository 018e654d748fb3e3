"""Applying what a provider reports (webhooks and reconciliation share it): `apply_payment`, keyed by provider and
the provider's payment id, so any number of notifications in any order make one payment (B-19)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.config import BillingSettings
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.payments.automatic import report_failure
from billing.payments.batch_applying import apply_batch_payment, batch_for
from billing.payments.provider import ProviderPayment, ProviderPaymentStatus
from billing.payments.service import apply_payment_to

log = structlog.get_logger("billing.payments")


async def invoice_for(session: AsyncSession, payment: ProviderPayment, *, for_update: bool = False) -> Invoice | None:
    """The invoice a provider payment is for: its invoice id, else its payment reference (B-19); `for_update`:
    locked, as `apply_payment` locks it."""
    invoices = InvoiceRepository(session)
    if payment.invoice_id is not None:
        found = await invoices.get(payment.invoice_id, for_update=for_update)
        if found is not None:
            return found
    return await invoices.by_reference(payment.reference, for_update=for_update) if payment.reference else None


async def apply_provider_payment(*, session: AsyncSession, clock: Clock, settings: BillingSettings,
                                 payment: ProviderPayment) -> str:
    """Apply an approved provider payment once; returns what happened ("applied", "duplicate", "pending", ...)."""
    if payment.status == ProviderPaymentStatus.FAILED and payment.automatic:
        failed = await invoice_for(session, payment)
        if failed is None:
            return "unmatched"
        return await report_failure(session=session, clock=clock, invoice=failed, payment=payment)
    if payment.status != ProviderPaymentStatus.APPROVED:
        return payment.status.value
    invoice = await invoice_for(session, payment, for_update=True)  # locked once, here, for apply_payment_to
    if invoice is None and (batch := await batch_for(session, payment)) is not None:
        return await apply_batch_payment(session=session, clock=clock, settings=settings, batch=batch,
                                         payment=payment)
    if invoice is None:
        log.warning("provider_payment_unmatched", provider=payment.provider, payment_id=payment.payment_id)
        return "unmatched"
    result = await apply_payment_to(session=session, clock=clock, settings=settings, invoice=invoice,
                                    amount=payment.amount, method=payment.provider, payment_key=payment.payment_key,
                                    payer_fingerprint=payment.payer_fingerprint, attempts_provider=payment.provider)
    log.info("provider_payment_applied", provider=payment.provider, payment_id=payment.payment_id,
             invoice_id=str(invoice.id), duplicate=result.duplicate, invoice_status=result.invoice_status)
    return "duplicate" if result.duplicate else "applied"

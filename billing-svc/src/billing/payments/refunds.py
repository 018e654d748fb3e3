"""B-15: a refund goes back through the method that paid. The staff refund records what each provider must send back
(`request_provider_refunds`, in its transaction, idempotency key included); `send_refunds` then calls the provider
with that stored key, so a retry after a crash never refunds twice."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing.invoices.models import Invoice
from billing.payments.models import ProviderRefund
from billing.payments.registry import PROVIDER_IDS
from billing.payments.repository import PaymentRepository, RefundRepository

log = structlog.get_logger("billing.payments")


async def request_provider_refunds(*, session: AsyncSession, clock: Clock, invoice: Invoice, amount: Money
                                   ) -> list[ProviderRefund]:
    """Record the refunds owed through the providers that paid `invoice`, up to `amount`, largest payment first.
    Once per payment (unique); money paid otherwise (transfer, credit) is refunded by staff by hand."""
    refunds = RefundRepository(session)
    left, made = amount, []
    for payment in await PaymentRepository(session).refundable(invoice.id, PROVIDER_IDS):
        if left.amount_minor <= 0:
            break
        part = min(left, Money(payment.amount_minor - payment.credited_minor, payment.currency))
        if part.amount_minor <= 0:
            continue
        refund = await refunds.add_once(ProviderRefund(
            id=uuid.uuid4(), invoice_id=invoice.id, payment_id=payment.id, provider=payment.method,
            provider_payment_id=payment.payment_key.split(":", 1)[1], amount_minor=part.amount_minor,
            currency=part.currency, idempotency_key=f"abono-refund-{payment.id}", status="requested",
            requested_at=clock.now()))
        if refund is not None:
            payment.refunded_at = clock.now()
            made.append(refund)
        left -= part
    await session.flush()
    return made

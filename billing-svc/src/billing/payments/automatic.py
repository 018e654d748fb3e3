"""B-21: an automatic charge (a saved method, a Pagos360 direct debit) that failed leaves its invoice open and tells
the client once, with the link to pay by hand (`AutomaticPaymentFailed` → notify). Keyed by the provider payment, so
a result reported again (webhook replay, reconciliation) changes nothing."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import AutomaticPaymentFailed
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.invoices.models import Invoice, InvoiceStatus
from billing.payments.models import AutomaticChargeFailure
from billing.payments.provider import ProviderPayment


async def report_failure(
    *, session: AsyncSession, clock: Clock, invoice: Invoice, payment: ProviderPayment, action_needed: bool = True
) -> str:
    """Record the failed charge once and emit the notice (only while the invoice is still unpaid)."""
    reason = (payment.failure_reason or payment.status.value)[:500]
    inserted = await session.execute(
        insert(AutomaticChargeFailure)
        .values(
            payment_key=payment.payment_key,
            invoice_id=invoice.id,
            client_id=invoice.client_id,
            reason=reason,
            failed_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["payment_key"])
        .returning(AutomaticChargeFailure.payment_key)
    )
    if inserted.scalar_one_or_none() is None:
        return "failure already reported"
    if invoice.status != InvoiceStatus.UNPAID:
        return "failed (invoice settled otherwise)"
    await emit(
        session,
        AutomaticPaymentFailed(
            invoice_id=invoice.id,
            client_id=invoice.client_id,
            number=invoice.number,
            total=MoneyModel.of(Money(invoice.total_minor, invoice.currency)),
            method=payment.provider,
            reason=reason,
            action_needed=action_needed,
        ),
    )
    return "failure reported"

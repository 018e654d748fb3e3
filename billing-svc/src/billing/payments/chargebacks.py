"""B-17: a chargeback / dispute closes the account: every service of the client is terminated at once, and
`ChargebackReceived` lets the affiliate service reverse commissions (F-2) and the gateway close the account."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import ChargebackReceived, TerminationDecided
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.payments.applying import invoice_for
from billing.payments.models import Chargeback
from billing.payments.provider import Dispute, PaymentProvider
from billing.payments.repository import ChargebackRepository, PaymentRepository
from billing.subscriptions.models import SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository

log = structlog.get_logger("billing.payments")
_LIVE = [SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED]


async def _invoice_of(session: AsyncSession, provider: PaymentProvider, payment_id: str
                      ) -> tuple[Invoice | None, Money | None]:
    payment = await PaymentRepository(session).by_key(f"{provider.name}:{payment_id}")
    if payment is not None:
        invoice = await InvoiceRepository(session).get(payment.invoice_id)
        return invoice, Money(payment.amount_minor, payment.currency)
    # The dispute came before (or without) the payment's own notification: ask the provider whose it is.
    reported = await provider.get_payment(payment_id=payment_id)
    return await invoice_for(session, reported), reported.amount


async def record_chargeback(*, session: AsyncSession, clock: Clock, provider: PaymentProvider,
                            dispute: Dispute) -> str:
    """Handle a dispute once per (provider, dispute id): terminate all the client's services, emit the events."""
    invoice, amount = await _invoice_of(session, provider, dispute.payment_id)
    if invoice is None:
        log.warning("chargeback_unmatched", provider=dispute.provider, payment_id=dispute.payment_id)
        return "unmatched"
    now = clock.now()
    if not await ChargebackRepository(session).add_once(Chargeback(
            id=uuid.uuid4(), provider=dispute.provider, dispute_id=dispute.dispute_id,
            provider_payment_id=dispute.payment_id, invoice_id=invoice.id, client_id=invoice.client_id,
            received_at=now)):
        return "duplicate"
    subs = await SubscriptionRepository(session).for_client(invoice.client_id, statuses=_LIVE)
    for sub in subs:
        sub.status, sub.updated_at = SubscriptionStatus.TERMINATED.value, now
    await session.flush()
    if subs:
        await emit(session, TerminationDecided(client_id=invoice.client_id, service_ids=[s.id for s in subs],
                                               invoice_id=invoice.id, rule="B-17", occurred_at=now))
    await emit(session, ChargebackReceived(
        client_id=invoice.client_id, invoice_id=invoice.id, provider=dispute.provider,
        provider_payment_id=dispute.payment_id, dispute_id=dispute.dispute_id,
        amount=MoneyModel.of(amount) if amount is not None else None, occurred_at=now))
    log.warning("chargeback_received", provider=dispute.provider, dispute_id=dispute.dispute_id,
                client_id=str(invoice.client_id), terminated=len(subs))
    return "chargeback"

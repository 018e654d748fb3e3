"""Applying a payment (B-7, B-9, B-10, B-19): the one function every payment provider and staff call; settling the
invoice is `billing.invoices.settlement.settle`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import InvalidInput, NotFound
from abono.metrics import count_after_commit
from abono.money import Money
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.settlement import settle
from billing.metrics import PAYMENTS, PAYMENTS_AMOUNT
from billing.payments.repository import PaymentRepository
from billing.promos.referral import reward_referrer


@dataclass(frozen=True)
class PaymentResult:
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_status: str
    credited: Money  # the part of the payment kept as credit balance
    duplicate: bool  # this payment key had been applied before: nothing was done now


async def apply_payment(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice_id: uuid.UUID,
                        amount: Money, method: str, payment_key: str,
                        payer_fingerprint: str | None = None) -> PaymentResult:
    """Apply money received for an invoice exactly once per `payment_key`; any excess becomes credit (B-10).
    `payer_fingerprint`: the provider's fingerprint of the payer, reported on `InvoicePaid` (F-1)."""
    if amount.amount_minor <= 0:
        raise InvalidInput("A payment must be a positive amount.")
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound("No such invoice.")
    return await apply_payment_to(session=session, clock=clock, settings=settings, invoice=invoice, amount=amount,
                                  method=method, payment_key=payment_key, payer_fingerprint=payer_fingerprint)


async def apply_payment_to(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice: Invoice,
                           amount: Money, method: str, payment_key: str, payer_fingerprint: str | None = None,
                           attempts_provider: str | None = None) -> PaymentResult:
    """`apply_payment` for an invoice the caller has loaded locked (`FOR UPDATE`) in this transaction;
    `attempts_provider`: a provider's payment, whose invoice's attempts waiting at that provider are marked paid with
    it (in the payment's statement, duplicate or not)."""
    if amount.amount_minor <= 0:
        raise InvalidInput("A payment must be a positive amount.")
    if amount.currency != invoice.currency:
        raise InvalidInput(f"The invoice is in {invoice.currency}, the payment in {amount.currency}.")
    now = clock.now()
    payment_id = uuid.uuid4()
    payments = PaymentRepository(session)
    if not await payments.record_once(
            payment_id=payment_id, payment_key=payment_key, invoice_id=invoice.id, client_id=invoice.client_id,
            amount_minor=amount.amount_minor, currency=amount.currency, method=method, received_at=now,
            attempts_provider=attempts_provider):  # B-19: a notification seen before changes nothing else
        earlier = await payments.by_key(payment_key)
        assert earlier is not None
        return PaymentResult(earlier.id, earlier.invoice_id, invoice.status,
                             Money(earlier.credited_minor, earlier.currency), duplicate=True)
    count_after_commit(session, PAYMENTS, provider=method, currency=amount.currency)
    count_after_commit(session, PAYMENTS_AMOUNT, amount.amount_minor, provider=method, currency=amount.currency)
    credit = CreditRepository(session)  # B-10: its lock taken by `record_once` (issue 20: one round trip less)
    due = Money(invoice.total_minor, invoice.currency)
    credited = amount
    if invoice.status == InvoiceStatus.UNPAID:
        # the client's row with it, for `reward_referrer` below (issue 20: not a round trip of its own)
        available, client = await credit.balance_and_client(invoice.client_id, invoice.currency)
        if amount + available >= due:
            credited = amount - due  # negative: existing credit covered the rest
            if credited.is_negative():
                invoice.credit_applied_minor += -credited.amount_minor
            await settle(session=session, clock=clock, settings=settings, invoice=invoice, method=method,
                         payer_fingerprint=payer_fingerprint)
            # B-12/F-4: a referred friend paying for the first time earns its referrer a free month (credit).
            await reward_referrer(session=session, clock=clock, settings=settings, invoice=invoice, friend=client)
    if not credited.is_zero():
        reason = "payment excess" if credited.amount_minor > 0 else "applied to invoice"
        await credit.add(client_id=invoice.client_id, amount=credited, reason=reason,
                         invoice_id=invoice.id, payment_id=payment_id, at=now)
    kept = credited if credited.amount_minor > 0 else Money.zero(amount.currency)
    if kept.amount_minor:  # recorded with 0: written only when part of it is kept as credit
        await payments.set_credited(payment_id, kept.amount_minor)
    await session.flush()
    return PaymentResult(payment_id, invoice.id, invoice.status, kept, duplicate=False)

"""Applying a payment (B-7, B-9, B-10, B-19): the one function every payment provider and staff call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import InvalidInput, NotFound
from abono.events import InvoicePaid
from abono.messaging import emit
from abono.metrics import count_after_commit
from abono.money import Money, MoneyModel
from billing.config import BillingSettings
from billing.cycles import Cycle, local_date
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.metrics import PAYMENTS, PAYMENTS_AMOUNT
from billing.payments import credit
from billing.payments.models import Payment
from billing.promos.referral import reward_referrer
from billing.subscriptions.models import SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository


@dataclass(frozen=True)
class PaymentResult:
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_status: str
    credited: Money  # the part of the payment kept as credit balance
    duplicate: bool  # this payment key had been applied before: nothing was done now


async def settle(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice: Invoice,
                 method: str) -> None:
    """Mark an unpaid invoice paid, move its services on, apply its upgrades, and emit `InvoicePaid` (B-7, B-8,
    B-14)."""
    now = clock.now()
    today = local_date(now, settings.calendar_timezone)
    invoice.status, invoice.settled_at, invoice.paid_method = InvoiceStatus.PAID.value, now, method
    await session.flush()
    subs = SubscriptionRepository(session)
    activate: list[uuid.UUID] = []
    for line in await InvoiceRepository(session).lines(invoice.id):
        if line.kind != "service" or line.period_end_on is None:
            continue
        for sub in await subs.many(line.service_ids, for_update=True):
            sub.next_due_on = max(sub.next_due_on, line.period_end_on)
            if sub.status == SubscriptionStatus.PENDING:
                sub.status, sub.activated_on = SubscriptionStatus.ACTIVE.value, today
                activate.append(sub.id)
            sub.updated_at = now
    overdue = await InvoiceRepository(session).has_overdue(invoice.client_id, today)
    reactivate: list[uuid.UUID] = []
    if not overdue:  # B-7: nothing overdue any more → every suspended service comes back
        for sub in await subs.for_client(invoice.client_id, statuses=[SubscriptionStatus.SUSPENDED]):
            sub.status, sub.updated_at = SubscriptionStatus.ACTIVE.value, now
            if settings.stretch_cycle_after_suspension:  # B-8
                sub.cycle = Cycle(sub.cycle).longer().value
            reactivate.append(sub.id)
    await session.flush()
    from billing.changes.upgrades import apply_upgrades  # applying an upgrade re-issues renewals (B-14, B-9)

    upgrades = await apply_upgrades(session=session, clock=clock, settings=settings, invoice=invoice)
    await emit(session, InvoicePaid(
        invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number, occurred_at=now,
        total=MoneyModel.of(Money(invoice.subtotal_minor - invoice.discount_minor, invoice.currency)),
        paid_at=now, method=method, activate_service_ids=activate, reactivate_service_ids=reactivate,
        upgrade_ids=upgrades, client_has_overdue=overdue,
    ))


async def apply_payment(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice_id: uuid.UUID,
                        amount: Money, method: str, payment_key: str) -> PaymentResult:
    """Apply money received for an invoice exactly once per `payment_key`; any excess becomes credit (B-10)."""
    if amount.amount_minor <= 0:
        raise InvalidInput("A payment must be a positive amount.")
    repo = InvoiceRepository(session)
    invoice = await repo.get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound("No such invoice.")
    if amount.currency != invoice.currency:
        raise InvalidInput(f"The invoice is in {invoice.currency}, the payment in {amount.currency}.")
    now = clock.now()
    payment_id = uuid.uuid4()
    inserted = await session.execute(insert(Payment).values(
        id=payment_id, payment_key=payment_key, invoice_id=invoice.id, client_id=invoice.client_id,
        amount_minor=amount.amount_minor, currency=amount.currency, method=method, received_at=now, credited_minor=0,
    ).on_conflict_do_nothing(index_elements=[Payment.payment_key]).returning(Payment.id))
    if inserted.first() is None:  # B-19: a notification seen before changes nothing
        earlier = await session.scalar(select(Payment).where(Payment.payment_key == payment_key))
        assert earlier is not None
        return PaymentResult(earlier.id, earlier.invoice_id, invoice.status,
                             Money(earlier.credited_minor, earlier.currency), duplicate=True)
    count_after_commit(session, PAYMENTS, provider=method, currency=amount.currency)
    count_after_commit(session, PAYMENTS_AMOUNT, amount.amount_minor, provider=method, currency=amount.currency)
    await credit.lock_credit(session, invoice.client_id)
    due = Money(invoice.total_minor, invoice.currency)
    credited = amount
    if invoice.status == InvoiceStatus.UNPAID:
        available = await credit.balance(session, invoice.client_id, invoice.currency)
        if amount + available >= due:
            credited = amount - due  # negative: existing credit covered the rest
            if credited.is_negative():
                invoice.credit_applied_minor += -credited.amount_minor
            await settle(session=session, clock=clock, settings=settings, invoice=invoice, method=method)
            # B-12/F-4: a referred friend paying for the first time earns its referrer a free month (credit).
            await reward_referrer(session=session, clock=clock, settings=settings, invoice=invoice)
    if not credited.is_zero():
        reason = "payment excess" if credited.amount_minor > 0 else "applied to invoice"
        await credit.add_entry(session, client_id=invoice.client_id, amount=credited, reason=reason,
                               invoice_id=invoice.id, payment_id=payment_id, at=now)
    kept = credited if credited.amount_minor > 0 else Money.zero(amount.currency)
    payment = await session.get(Payment, payment_id)
    assert payment is not None
    payment.credited_minor = kept.amount_minor
    await session.flush()
    return PaymentResult(payment_id, invoice.id, invoice.status, kept, duplicate=False)

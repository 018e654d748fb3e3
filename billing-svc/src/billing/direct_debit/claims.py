"""Which invoices get a debit request now (B-21): the unit of work the debit job commits before it calls the
provider. Only flushes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing.config import BillingSettings
from billing.direct_debit.models import MandateState
from billing.direct_debit.repository import DebitRepository, MandateRepository, debit_key
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.repricing import reprice_for_method
from billing.payments.models import AttemptStatus, PaymentAttempt
from billing.payments.provider import CheckoutInvoice


@dataclass(frozen=True)
class Debit:
    attempt_id: uuid.UUID
    mandate_ref: str
    invoice: CheckoutInvoice
    debit_on: date


def _debit_on(settings: BillingSettings, clock: Clock, due_on: date) -> date:
    today = clock.now().astimezone(ZoneInfo(settings.calendar_timezone)).date()
    return max(due_on, today + timedelta(days=settings.direct_debit_lead_days))


async def claim_debits(
    *, session: AsyncSession, clock: Clock, settings: BillingSettings, provider: str, limit: int
) -> list[Debit]:
    """New attempts for invoices without one (stored with their unique key), plus stalled ones; each claimed by one
    replica (only flushes: the job commits before calling the provider)."""
    debits, now = DebitRepository(session), clock.now()
    claimed: list[Debit] = []
    found = await debits.invoices_to_debit(
        provider=provider,
        kinds=settings.direct_debit_invoice_kinds,
        currencies=settings.direct_debit_currencies,
        limit=limit,
    )
    for invoice, mandate in found:
        if mandate.mandate_ref is None:
            continue
        locked = await InvoiceRepository(session).get(invoice.id, for_update=True)
        if locked is None or locked.status != InvoiceStatus.UNPAID:
            continue
        # B-22: the method that pays sets the method discount (B-12).
        await reprice_for_method(session=session, settings=settings, invoice=locked, method=provider)
        attempt = PaymentAttempt(
            id=uuid.uuid4(),
            invoice_id=locked.id,
            client_id=locked.client_id,
            provider=provider,
            amount_minor=locked.total_minor,
            currency=locked.currency,
            idempotency_key=debit_key(locked.id),
            status=AttemptStatus.STARTED.value,
            provider_ref=mandate.mandate_ref,
            redirect_url=None,
            error=None,
            created_at=now,
            checked_at=now,
        )
        if await debits.add_attempt_once(attempt):
            claimed.append(
                Debit(
                    attempt.id,
                    mandate.mandate_ref,
                    _checkout_invoice(locked, attempt),
                    _debit_on(settings, clock, locked.due_on),
                )
            )
    stalled = await debits.stalled(
        provider=provider, limit=limit, checked_before=now - timedelta(seconds=settings.direct_debit_retry_seconds)
    )
    for attempt in stalled:
        attempt.checked_at = now
        unpaid = await InvoiceRepository(session).get(attempt.invoice_id)
        live = await MandateRepository(session).live(attempt.client_id)
        if (
            unpaid is None
            or unpaid.status != InvoiceStatus.UNPAID
            or live is None
            or live.mandate_ref is None
            or live.state != MandateState.ACTIVE
            or live.mandate_ref != attempt.provider_ref
        ):
            # Paid otherwise, cancelled, or the mandate is gone; never confirmed: nothing to withdraw.
            attempt.status, attempt.withdrawn_at = AttemptStatus.CLOSED.value, now
            continue
        claimed.append(
            Debit(
                attempt.id,
                live.mandate_ref,
                _checkout_invoice(unpaid, attempt),
                _debit_on(settings, clock, unpaid.due_on),
            )
        )
    return claimed


def _checkout_invoice(invoice: Invoice, attempt: PaymentAttempt) -> CheckoutInvoice:
    return CheckoutInvoice(
        invoice_id=attempt.invoice_id,
        number=invoice.number,
        payment_reference=invoice.payment_reference,
        amount=Money(attempt.amount_minor, attempt.currency),
    )

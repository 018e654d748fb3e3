"""Ask each provider about attempts still open (B-19: a lost webhook never leaves a paid invoice unpaid)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.money import Money
from billing.config import BillingSettings
from billing.invoices.models import InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.payments.applying import apply_provider_payment
from billing.payments.models import AttemptStatus
from billing.payments.provider import CheckoutInvoice, PaymentProvider, ProviderError
from billing.payments.repository import AttemptRepository

log = structlog.get_logger("billing.reconciliation")


async def _claim(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                 limit: int) -> list[tuple[uuid.UUID, str, str, CheckoutInvoice, str]]:
    """Attempts due for a question, marked asked (SKIP LOCKED: replicas share the work)."""
    now = clock.now()
    claimed = []
    async with unit_of_work(sessionmaker) as session:
        attempts = await AttemptRepository(session).due_for_question(
            created_since=now - timedelta(days=settings.reconciliation_max_age_days),
            checked_before=now - timedelta(seconds=settings.reconciliation_interval_seconds), limit=limit)
        for attempt in attempts:
            attempt.checked_at = now
            invoice = await InvoiceRepository(session).get(attempt.invoice_id)
            assert invoice is not None and attempt.provider_ref is not None
            claimed.append((attempt.id, attempt.provider, attempt.provider_ref, CheckoutInvoice(
                invoice_id=invoice.id, number=invoice.number, payment_reference=invoice.payment_reference,
                amount=Money(attempt.amount_minor, attempt.currency)), invoice.status))
    return claimed


async def reconcile_once(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                         providers: dict[str, PaymentProvider], limit: int = 100) -> int:
    """One pass; returns how many payments were newly applied."""
    applied = 0
    for attempt_id, name, ref, invoice, invoice_status in await _claim(
            sessionmaker=sessionmaker, clock=clock, settings=settings, limit=limit):
        provider = providers.get(name)
        if provider is None:
            continue
        try:
            payments = await provider.payments_for(checkout_ref=ref, invoice=invoice)
        except ProviderError as exc:
            log.warning("reconciliation_failed", provider=name, attempt_id=str(attempt_id), error=str(exc))
            continue
        for payment in payments:
            async with unit_of_work(sessionmaker) as session:
                outcome = await apply_provider_payment(session=session, clock=clock, settings=settings,
                                                       payment=payment)
            if outcome == "applied":
                applied += 1
                log.info("reconciliation_applied", provider=name, payment_id=payment.payment_id)
        if not payments and invoice_status != InvoiceStatus.UNPAID:
            async with unit_of_work(sessionmaker) as session:  # paid otherwise or cancelled: stop asking
                attempt = await AttemptRepository(session).get(attempt_id)
                if attempt is not None and attempt.status == AttemptStatus.OPEN:
                    attempt.status = AttemptStatus.CLOSED.value
    return applied

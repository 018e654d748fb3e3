"""Settling an invoice (B-7, B-8, B-14, B-18): it is marked paid, `InvoiceSettled` lets what follows react (services
move on, paid upgrades apply: `billing.bootstrap`), and `InvoicePaid` reports it all, in the same transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import InvoicePaid
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.domain_events import InvoiceSettled, PaidPeriod, invoice_settled
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository


async def settle(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice: Invoice,
                 method: str) -> None:
    """Mark an unpaid invoice paid, let its consequences happen, and emit `InvoicePaid`."""
    now = clock.now()
    today = local_date(now, settings.calendar_timezone)
    invoice.status, invoice.settled_at, invoice.paid_method = InvoiceStatus.PAID.value, now, method
    await session.flush()
    repo = InvoiceRepository(session)
    periods = tuple(PaidPeriod(tuple(line.service_ids), line.period_end_on) for line in await repo.lines(invoice.id)
                    if line.kind == "service" and line.period_end_on is not None)
    overdue = await repo.has_overdue(invoice.client_id, today)
    effects = await invoice_settled.dispatch(session, clock, settings, InvoiceSettled(
        invoice_id=invoice.id, client_id=invoice.client_id, method=method, at=now, on=today, periods=periods,
        client_has_overdue=overdue))
    await emit(session, InvoicePaid(
        invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number, occurred_at=now,
        total=MoneyModel.of(Money(invoice.subtotal_minor - invoice.discount_minor, invoice.currency)),
        paid_at=now, method=method, activate_service_ids=list(effects.activated),
        reactivate_service_ids=list(effects.reactivated), upgrade_ids=list(effects.upgrades),
        client_has_overdue=overdue,
    ))

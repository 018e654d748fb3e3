"""Settling an invoice (B-7, B-8, B-14, B-18): it is marked paid, `InvoiceSettled` lets what follows react (services
move on, paid upgrades apply: `billing.bootstrap`), and `InvoicePaid` reports it all, in the same transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from abono.clock import Clock
from abono.events import InvoiceLineInfo, InvoicePaid
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.domain_events import InvoiceSettled, PaidPeriod, invoice_settled
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository, SettledLine


async def settle(*, session: AsyncSession, clock: Clock, settings: BillingSettings, invoice: Invoice,
                 method: str, payer_fingerprint: str | None = None) -> None:
    """Mark an unpaid invoice paid, let its consequences happen, and emit `InvoicePaid` (with the payer's
    fingerprint where the provider gave one: F-1 self-referral).

    One statement marks it paid and reads its lines, their products' kinds and whether the client still has an
    overdue invoice (`InvoiceRepository.mark_settled`, issue 20: it was four round trips, and one more per line);
    the session's `invoice` is then told the new values as if it had written them."""
    now = clock.now()
    today = local_date(now, settings.calendar_timezone)
    await session.flush()  # the caller's pending changes (credit applied to the invoice) first
    settled = await InvoiceRepository(session).mark_settled(
        invoice_id=invoice.id, client_id=invoice.client_id, status=InvoiceStatus.PAID.value, at=now, method=method,
        today=today)
    for key, value in (("status", InvoiceStatus.PAID.value), ("settled_at", now), ("paid_method", method)):
        set_committed_value(invoice, key, value)
    lines = settled.lines
    periods = tuple(PaidPeriod(tuple(line.service_ids), line.period_end_on) for line in lines
                    if line.kind == "service" and line.period_end_on is not None)
    overdue = settled.client_has_overdue
    effects = await invoice_settled.dispatch(session, clock, settings, InvoiceSettled(
        invoice_id=invoice.id, client_id=invoice.client_id, method=method, at=now, on=today, periods=periods,
        client_has_overdue=overdue, kind=invoice.kind))
    await emit(session, InvoicePaid(
        invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number, occurred_at=now,
        total=MoneyModel.of(Money(invoice.subtotal_minor - invoice.discount_minor, invoice.currency)),
        paid_at=now, method=method, activate_service_ids=list(effects.activated),
        reactivate_service_ids=list(effects.reactivated), upgrade_ids=list(effects.upgrades),
        client_has_overdue=overdue, kind=invoice.kind, payer_fingerprint=payer_fingerprint,
        lines=[_line_info(line, invoice.currency) for line in lines],
    ))


def _line_info(line: SettledLine, currency: str) -> InvoiceLineInfo:
    """An invoice line for `InvoicePaid`: the affiliate service pays commissions per product kind (F-2)."""
    return InvoiceLineInfo(description=line.description, amount=MoneyModel.of(Money(line.amount_minor, currency)),
                           service_id=line.service_ids[0] if line.service_ids else None,
                           product_kind=line.product_kind if line.kind == "service" else None, cycle=line.cycle)

"""Reading invoices (a client only its own) and staff's actions on them: confirm a transfer, waive, refund."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, NotFound
from abono.events import TerminationDecided
from abono.messaging import emit
from abono.money import Money
from billing.catalog.repository import CatalogRepository
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.invoices.models import Invoice, InvoiceLine, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.payments.models import AuditEntry
from billing.payments.refunds import request_provider_refunds
from billing.payments.service import PaymentResult, apply_payment, settle
from billing.subscriptions.models import SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository


async def client_invoice(*, session: AsyncSession, client_id: uuid.UUID, invoice_id: uuid.UUID
                         ) -> tuple[Invoice, list[InvoiceLine]]:
    """One of the client's invoices with its lines; another client's is "not found"."""
    repo = InvoiceRepository(session)
    invoice = await repo.get(invoice_id)
    if invoice is None or invoice.client_id != client_id:
        raise NotFound("No such invoice.")
    return invoice, await repo.lines(invoice.id)


async def _audit(session: AsyncSession, *, actor_id: uuid.UUID, action: str, invoice: Invoice, clock: Clock,
                 **details: object) -> None:
    session.add(AuditEntry(actor_id=actor_id, action=action, target_type="invoice", target_id=invoice.id,
                           details={"number": invoice.number, **details}, at=clock.now()))
    await session.flush()


async def confirm_transfer(*, session: AsyncSession, clock: Clock, settings: BillingSettings, actor_id: uuid.UUID,
                           invoice_id: uuid.UUID, amount_minor: int, transfer_reference: str, method: str
                           ) -> PaymentResult:
    """B-19: staff confirm a reported transfer; applied once per transfer reference."""
    invoice = await InvoiceRepository(session).get(invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    result = await apply_payment(session=session, clock=clock, settings=settings, invoice_id=invoice.id,
                                 amount=Money(amount_minor, invoice.currency), method=method,
                                 payment_key=f"{method}:{transfer_reference}")
    if not result.duplicate:
        await _audit(session, actor_id=actor_id, action="confirm_transfer", invoice=invoice, clock=clock,
                     amount_minor=amount_minor, transfer_reference=transfer_reference)
    return result


async def waive(*, session: AsyncSession, clock: Clock, settings: BillingSettings, actor_id: uuid.UUID,
                invoice_id: uuid.UUID, reason: str) -> Invoice:
    """B-18: staff waive an unpaid invoice (pay-with-time); it counts as settled. Audited."""
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound("No such invoice.")
    if invoice.status != InvoiceStatus.UNPAID:
        raise Conflict(f"Only an unpaid invoice can be waived; this one is {invoice.status}.")
    await settle(session=session, clock=clock, settings=settings, invoice=invoice, method="waived")
    invoice.status = InvoiceStatus.WAIVED.value
    await _audit(session, actor_id=actor_id, action="waive", invoice=invoice, clock=clock, reason=reason)
    return invoice


async def refund(*, session: AsyncSession, clock: Clock, settings: BillingSettings, actor_id: uuid.UUID,
                 invoice_id: uuid.UUID, reason: str) -> tuple[Invoice, Money]:
    """B-15: refund a paid invoice's refundable lines within the window after activation; their services end."""
    repo = InvoiceRepository(session)
    invoice = await repo.get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound("No such invoice.")
    if invoice.status != InvoiceStatus.PAID:
        raise Conflict(f"Only a paid invoice can be refunded; this one is {invoice.status}.")
    today = local_date(clock.now(), settings.calendar_timezone)
    catalog, subs = CatalogRepository(session), SubscriptionRepository(session)
    amount, ended = Money.zero(invoice.currency), []
    for line in await repo.lines(invoice.id):
        product = await catalog.get(line.product_id) if line.product_id else None
        if line.kind != "service" or product is None or product.kind in settings.non_refundable_kinds:
            continue  # B-15: never domains, apps, streaming (a bundled domain is kept back)
        services = await subs.many(line.service_ids, for_update=True)
        window = timedelta(days=settings.refund_window_days)
        if any(s.activated_on is None or s.activated_on + window < today for s in services):
            continue
        amount += Money(line.amount_minor, invoice.currency)
        for sub in services:
            sub.status, sub.updated_at = SubscriptionStatus.CANCELLED.value, clock.now()
            ended.append(sub.id)
    if not ended:
        raise Conflict("Nothing on this invoice can be refunded (B-15: window or product kind).")
    invoice.status = InvoiceStatus.REFUNDED.value
    # B-15: the money goes back through the provider that paid (sent by the payments worker, key stored first).
    await request_provider_refunds(session=session, clock=clock, invoice=invoice, amount=amount)
    await emit(session, TerminationDecided(client_id=invoice.client_id, service_ids=ended, invoice_id=invoice.id,
                                           rule="B-15", occurred_at=clock.now()))
    await _audit(session, actor_id=actor_id, action="refund", invoice=invoice, clock=clock, reason=reason,
                 amount_minor=amount.amount_minor, method=invoice.paid_method)
    return invoice, amount

"""Staff's money actions on an invoice: confirm a reported transfer (B-19) and refund a paid invoice (B-15)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, NotFound
from abono.events import InvoiceRefunded, TerminationDecided
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.catalog.repository import CatalogRepository
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.service import audit_invoice
from billing.payments.refunds import request_provider_refunds
from billing.payments.service import PaymentResult, apply_payment
from billing.subscriptions.models import SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository


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
        await audit_invoice(session, actor_id=actor_id, action="confirm_transfer", invoice=invoice, clock=clock,
                            amount_minor=amount_minor, transfer_reference=transfer_reference)
    return result


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
        raise Conflict("Nothing on this invoice can be refunded: its refund window has passed, or what it sold cannot "
                       "be refunded.")
    invoice.status = InvoiceStatus.REFUNDED.value
    # B-15: the money goes back through the provider that paid (sent by the payments worker, key stored first).
    await request_provider_refunds(session=session, clock=clock, invoice=invoice, amount=amount)
    await emit(session, TerminationDecided(client_id=invoice.client_id, service_ids=ended, invoice_id=invoice.id,
                                           rule="B-15", occurred_at=clock.now()))
    # F-2: the affiliate service reverses the commission this invoice earned (its refunded share).
    await emit(session, InvoiceRefunded(invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number,
                                        amount=MoneyModel.of(amount), reason=reason, occurred_at=clock.now()))
    await audit_invoice(session, actor_id=actor_id, action="refund", invoice=invoice, clock=clock, reason=reason,
                        amount_minor=amount.amount_minor, method=invoice.paid_method)
    return invoice, amount

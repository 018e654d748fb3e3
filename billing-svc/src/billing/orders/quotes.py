"""S-6: a quote the client accepted in support becomes an order and its invoice in one step, at the quoted prices.

Applied once per event through the inbox; support emits `QuoteAccepted` once per quote (its acceptance is a state
change under a row lock), so one quote makes one invoice. Catalog lines become pending services (`ServiceOrdered`,
as an order's do); free lines are invoiced as written.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import FixedClock
from abono.events import QuoteAccepted, QuoteLineInfo, ServiceOrdered
from abono.messaging import emit
from abono.messaging.consumer import Consumer
from abono.money import Money
from billing.business_settings.service import effective
from billing.catalog.models import Product
from billing.catalog.repository import CatalogRepository
from billing.config import BillingSettings
from billing.cycles import Cycle, local_date, period_end
from billing.discounts.engine import PricedLine
from billing.invoices.issuing import DraftLine, issue_invoice
from billing.invoices.models import InvoiceKind
from billing.invoices.repository import InvoiceRepository
from billing.subscriptions.models import Subscription, SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository

log = structlog.get_logger("billing.quotes")


def _priced(line: QuoteLineInfo, currency: str) -> PricedLine:
    unit = Money(line.unit_price.amount_minor, currency)
    return PricedLine(unit_price=unit, quantity=line.quantity, gross=Money(unit.amount_minor * line.quantity, currency))


def quote_consumer(settings: BillingSettings) -> Consumer:
    """The `billing.quotes` consumer."""
    consumer = Consumer("quotes")

    @consumer.on(QuoteAccepted)
    async def quote_accepted(session: AsyncSession, event: QuoteAccepted) -> None:
        await place_quote_order(session=session, settings=await effective(session, settings), event=event)

    return consumer


async def place_quote_order(*, session: AsyncSession, settings: BillingSettings, event: QuoteAccepted) -> None:
    now, currency = event.occurred_at, event.currency
    today = local_date(now, settings.calendar_timezone)
    catalog = CatalogRepository(session)
    drafts: list[DraftLine] = []
    created: list[tuple[Subscription, Product]] = []
    invoice_id = uuid.uuid4()
    for line in event.lines:
        priced = _priced(line, currency)
        product = await catalog.by_code(line.product_code) if line.product_code else None
        if product is None or line.cycle is None:
            if line.product_code:
                log.warning("quote_product_unknown", quote_id=str(event.quote_id), product_code=line.product_code)
            drafts.append(DraftLine(kind="quote", description=f"{line.description} (presupuesto {event.number})",
                                    priced=priced))
            continue
        cycle = Cycle(line.cycle)
        end = period_end(today, cycle)
        subs = [Subscription(id=uuid.uuid4(), client_id=event.client_id, product_id=product.id,
                             product_code=product.code, cycle=cycle.value, currency=currency,
                             status=SubscriptionStatus.PENDING.value, payment_method=None, domain=None,
                             next_due_on=today, created_at=now, updated_at=now) for _ in range(line.quantity)]
        await SubscriptionRepository(session).add_all(subs)
        created.extend((s, product) for s in subs)
        drafts.append(DraftLine(kind="service", description=f"{line.description} · {cycle.value} · {today} → {end}",
                                priced=priced, service_ids=tuple(s.id for s in subs), product_id=product.id,
                                cycle=cycle.value, period_start_on=today, period_end_on=end))
    for sub, product in created:  # provisioning learns of the services before it can learn they were paid
        await emit(session, ServiceOrdered(
            service_id=sub.id, client_id=event.client_id, invoice_id=invoice_id, product_id=product.id,
            occurred_at=now, product_code=product.code, product_name=product.name, kind=product.kind,
            cycle=sub.cycle, activation=product.activation, driver=product.driver,
            driver_settings=product.driver_settings))
    invoice = await issue_invoice(
        session=session, clock=FixedClock(now), settings=settings, client_id=event.client_id, currency=currency,
        kind=InvoiceKind.ORDER, due_on=today + timedelta(days=settings.order_invoice_due_days), lines=drafts,
        note=f"Presupuesto {event.number}: {event.title}", invoice_id=invoice_id)
    await InvoiceRepository(session).claim_periods(invoice.id, [(s.id, today) for s, _ in created])

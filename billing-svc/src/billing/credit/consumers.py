"""S-4 Decision in billing: support's month-end `SlaCreditDecided` becomes credit balance (B-10) of the tier's
percentage of the service's monthly-equivalent price (its cycle's catalog price over the cycle's months, in the
service's currency, rounded half-up), once per service and month: the inbox skips a redelivered event, and the
`sla_credits` key any other event for the same service and month."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import SlaCreditDecided
from abono.messaging.consumer import Consumer
from abono.money import Money
from billing.catalog.repository import CatalogRepository
from billing.credit.models import SlaCreditApplied
from billing.credit.repository import CreditRepository
from billing.cycles import Cycle
from billing.subscriptions.models import Subscription

consumer = Consumer("sla_credits")


def sla_credit_amount(*, cycle_price: Money, cycle_months: int, credit_percent: int) -> Money:
    """`credit_percent` of the monthly-equivalent of a cycle's price, half-up to the currency's minor unit."""
    exact = Decimal(cycle_price.amount_minor) * credit_percent / (Decimal(100) * cycle_months)
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), cycle_price.currency)


@consumer.on(SlaCreditDecided)
async def sla_credit_decided(session: AsyncSession, event: SlaCreditDecided) -> None:
    subscription = await session.get(Subscription, event.service_id)
    if subscription is None:  # its order not applied yet: retried through the queue
        raise LookupError(f"service {event.service_id} is not known to billing yet")
    price = await CatalogRepository(session).price(subscription.product_id, subscription.cycle, subscription.currency)
    if price is None:
        raise LookupError(f"no {subscription.cycle} price in {subscription.currency} for {subscription.product_code}")
    amount = sla_credit_amount(
        cycle_price=Money(price.amount_minor, subscription.currency),
        cycle_months=Cycle(subscription.cycle).months,
        credit_percent=event.credit_percent,
    )
    credit = CreditRepository(session)
    await credit.lock(subscription.client_id)
    recorded = await credit.sla_credit_once(
        SlaCreditApplied(
            service_id=event.service_id,
            month=event.month,
            client_id=subscription.client_id,
            credit_percent=event.credit_percent,
            amount_minor=amount.amount_minor,
            currency=amount.currency,
            event_id=event.event_id,
            created_at=event.occurred_at,
        )
    )
    if recorded and amount.amount_minor > 0:
        await credit.add(
            client_id=subscription.client_id,
            amount=amount,
            at=event.occurred_at,
            reason=(
                f"S-4 SLA credit {event.month:%Y-%m}: {event.product_name}, {event.uptime_percent}% "
                f"uptime, {event.credit_percent}% of the monthly price"
            ),
        )

"""B-14 upgrades: the client pays `(new_price - old_price) * remaining_days / period_days` for what is left of each
paid period (the computation shown on the invoice line); a negative difference becomes credit balance. The upgrade
is applied when its invoice is paid: `InvoicePaid.upgrade_ids`, the subscription moves to the new product, and its
renewals charge the new price (an unpaid renewal invoice already issued is re-issued, B-9).
No self-service downgrade (cancel and re-order); no upgrade path (C-3): a ticket to staff.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict
from abono.events import UpgradeRequested
from abono.messaging import emit
from abono.money import Money
from billing.catalog.models import Product
from billing.catalog.repository import CatalogRepository
from billing.catalog.service import get_product
from billing.changes.common import ENDED, lock, owned_service, require_not_ended, today_of
from billing.changes.models import Upgrade, UpgradeStatus
from billing.changes.proration import Proration, prorate
from billing.changes.repository import UpgradeRepository
from billing.config import BillingSettings
from billing.credit.movements import UPGRADE_DIFFERENCE
from billing.credit.repository import CreditRepository
from billing.discounts.context import discount_context
from billing.discounts.engine import LineRequest, PricedLine, price_line
from billing.discounts.policy import policy_from
from billing.domain_events import InvoiceSettled, SettlementEffects
from billing.drivers import service as drivers
from billing.invoices.issuing import DraftLine, issue_invoice
from billing.invoices.models import Invoice, InvoiceKind, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.service import cancel_invoice
from billing.renewals.service import lock_client_renewals, reissue_renewal, unpaid_renewal_of
from billing.subscriptions.models import Subscription, SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository

log = structlog.get_logger("billing.upgrades")


@dataclass(frozen=True)
class UpgradeQuote:
    subscription: Subscription
    current: Product
    target: Product
    prorations: tuple[Proration, ...]
    lines: tuple[DraftLine, ...]  # what the upgrade invoice will hold
    credit: Money  # the part of a negative difference that becomes credit balance

    @property
    def total(self) -> Money:
        return sum((d.priced.total for d in self.lines), Money.zero(self.credit.currency))


async def _target(session: AsyncSession, current: Product, code: str) -> Product:
    """C-3: only along the product's upgrade path; a downgrade is a cancellation and a new order."""
    target = await get_product(session=session, code=code)
    if target.id == current.id:
        raise Conflict(f"This service is {current.name} already.")
    if target.code not in current.upgrade_to:
        # B-14: no self-service downgrade; C-3: no path, staff do it from a ticket.
        if current.code in target.upgrade_to:
            raise Conflict(f"{target.name} is a downgrade: there is no self-service downgrade; cancel this service "
                           "and order the new plan.")
        raise Conflict(f"{current.name} has no upgrade path to {target.name}: please open a support ticket so staff "
                       "can do it for you.")
    await drivers.check_sellable(session, code=target.code, name=target.name, driver=target.driver,
                                 settings=target.driver_settings)  # #19 item 3: nothing sold that cannot run
    return target


async def _price(session: AsyncSession, product: Product, cycle: str, currency: str) -> Money:
    price = await CatalogRepository(session).price(product.id, cycle, currency)
    if cycle not in product.cycles or price is None:
        raise Conflict(f"{product.name} is not sold {cycle} in {currency}: please open a support ticket.")
    return Money(price.amount_minor, currency)


async def quote_upgrade(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                        service_id: uuid.UUID, product_code: str) -> UpgradeQuote:
    """What upgrading the service to `product_code` today costs, line by line; nothing is changed."""
    sub, current = await owned_service(session, client_id, service_id)
    require_not_ended(sub)
    if sub.status != SubscriptionStatus.ACTIVE:
        raise Conflict(f"Only an active service can be upgraded; this one is {sub.status}.")
    target = await _target(session, current, product_code)
    await _price(session, target, sub.cycle, sub.currency)  # renewals will charge it
    today, currency = today_of(clock, settings), sub.currency
    context = await discount_context(session=session, client_id=client_id, payment_method=sub.payment_method,
                                     bundle=False)
    prorations, lines, credited = [], [], Money.zero(currency)
    for paid in await InvoiceRepository(session).settled_periods(sub.id, today):
        assert paid.cycle is not None and paid.period_start_on is not None and paid.period_end_on is not None
        # B-16: the period is honoured at the price it was invoiced at, unless an earlier upgrade changed the plan.
        old = (Money(paid.unit_price_minor, currency) if paid.product_id == current.id
               else await _price(session, current, paid.cycle, currency))
        p = prorate(old_price=old, new_price=await _price(session, target, paid.cycle, currency),
                    period_start_on=paid.period_start_on, period_end_on=paid.period_end_on, today=today)
        prorations.append(p)
        describe = f"Mejora {current.name} → {target.name} · {paid.cycle} · {max(today, p.period_start_on)} → " \
                   f"{p.period_end_on}: {p.describe()}"
        priced = PricedLine(Money.zero(currency), 1, Money.zero(currency))
        if p.amount.is_negative():  # B-14: the rest of the period costs less on the new plan → credit balance
            back = price_line(LineRequest(-p.amount, 1, paid.cycle), policy=policy_from(settings), context=context)
            credited += back.total
            describe += f" → saldo a favor {back.total}"
        elif not p.amount.is_zero():
            priced = price_line(LineRequest(p.amount, 1, paid.cycle), policy=policy_from(settings), context=context)
        lines.append(DraftLine(kind="upgrade", description=describe, priced=priced, service_ids=(sub.id,),
                               product_id=target.id, cycle=paid.cycle, period_start_on=max(today, p.period_start_on),
                               period_end_on=p.period_end_on))
    if not lines:
        zero = Money.zero(currency)
        lines.append(DraftLine(kind="upgrade", description=f"Mejora {current.name} → {target.name}: sin período "
                               "pagado en curso, nada que prorratear", priced=PricedLine(zero, 1, zero),
                               service_ids=(sub.id,), product_id=target.id, cycle=sub.cycle))
    return UpgradeQuote(sub, current, target, tuple(prorations), tuple(lines), credited)


async def request_upgrade(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                          service_id: uuid.UUID, product_code: str) -> tuple[Upgrade, Invoice, UpgradeQuote]:
    """The upgrade, `UpgradeRequested` and its invoice; applied at once when nothing is left to pay."""
    await lock_client_renewals(session, client_id)
    quote = await quote_upgrade(session=session, clock=clock, settings=settings, client_id=client_id,
                                service_id=service_id, product_code=product_code)
    sub, repo = quote.subscription, UpgradeRepository(session)
    await lock(session, sub)
    waiting = await repo.requested_for_service(sub.id)
    if waiting is not None:
        raise Conflict("An upgrade of this service is waiting for its invoice to be paid.",
                       invoice_id=str(waiting.invoice_id))
    now, invoice_id = clock.now(), uuid.uuid4()
    upgrade = Upgrade(id=uuid.uuid4(), subscription_id=sub.id, client_id=client_id, from_product_id=quote.current.id,
                      to_product_id=quote.target.id, invoice_id=invoice_id, status=UpgradeStatus.REQUESTED.value,
                      requested_at=now)
    await repo.add(upgrade)
    await emit(session, UpgradeRequested(
        upgrade_id=upgrade.id, service_id=sub.id, client_id=client_id, from_product_id=quote.current.id,
        to_product_id=quote.target.id, invoice_id=invoice_id, occurred_at=now, to_product_code=quote.target.code,
        to_product_name=quote.target.name, to_driver_settings=quote.target.driver_settings))
    if not quote.credit.is_zero():
        credit = CreditRepository(session)
        await credit.lock(client_id)
        await credit.add(client_id=client_id, amount=quote.credit, at=now,
                         reason=f"{UPGRADE_DIFFERENCE} {upgrade.id}")
    invoice = await issue_invoice(
        session=session, clock=clock, settings=settings, client_id=client_id, currency=sub.currency,
        kind=InvoiceKind.UPGRADE, due_on=today_of(clock, settings) + timedelta(days=settings.order_invoice_due_days),
        lines=quote.lines, payment_method=sub.payment_method, invoice_id=invoice_id,
        note="Mejora prorrateada: (precio nuevo - precio anterior) * días restantes / días del período. "
             "Se aplica al pagar esta factura; las renovaciones siguientes cobran el precio nuevo.")
    return upgrade, invoice, quote


async def apply_paid_upgrades(session: AsyncSession, clock: Clock, settings: BillingSettings,
                              event: InvoiceSettled) -> SettlementEffects:
    """B-14, the `InvoiceSettled` handler of changes: the paid invoice's upgrades move their subscriptions to the
    new product."""
    if event.kind != InvoiceKind.UPGRADE:  # upgrades are only ever issued on an upgrade invoice (request_upgrade)
        return SettlementEffects()
    applied: list[uuid.UUID] = []
    catalog, subs = CatalogRepository(session), SubscriptionRepository(session)
    upgrades = await UpgradeRepository(session).requested_for_invoice(event.invoice_id)
    if upgrades:  # before any subscription lock, in the renewal run's order
        await lock_client_renewals(session, event.client_id)
    for upgrade in upgrades:
        sub, target = await subs.get(upgrade.subscription_id, for_update=True), await catalog.get(upgrade.to_product_id)
        if sub is None or target is None or sub.status in ENDED:
            log.warning("upgrade_for_ended_service", upgrade_id=str(upgrade.id), invoice_id=str(event.invoice_id))
            upgrade.status = UpgradeStatus.CANCELLED.value
            continue
        sub.product_id, sub.product_code, sub.updated_at = target.id, target.code, clock.now()
        upgrade.status, upgrade.applied_at = UpgradeStatus.APPLIED.value, clock.now()
        applied.append(upgrade.id)
        await session.flush()
        renewal = await unpaid_renewal_of(session, sub)
        if renewal is not None:  # B-9, B-16: the next period is charged at the new plan's price
            await reissue_renewal(session=session, clock=clock, settings=settings, invoice=renewal,
                                  reason=f"Mejora a {target.name}.")  # B-14
    await session.flush()
    return SettlementEffects(upgrades=tuple(applied))


async def withdraw_upgrade(*, session: AsyncSession, clock: Clock, service_id: uuid.UUID, reason: str) -> None:
    """Cancel the service's upgrade still waiting for payment, and its invoice."""
    upgrade = await UpgradeRepository(session).requested_for_service(service_id, lock=False)
    if upgrade is None:
        return
    invoice = await InvoiceRepository(session).get(upgrade.invoice_id, for_update=True)  # as a payment locks it
    await session.refresh(upgrade, with_for_update=True)
    if upgrade.status != UpgradeStatus.REQUESTED:
        return  # paid meanwhile
    if invoice is not None and invoice.status == InvoiceStatus.UNPAID:
        await cancel_invoice(session=session, clock=clock, invoice=invoice, reason=reason)
    upgrade.status = UpgradeStatus.CANCELLED.value
    await session.flush()

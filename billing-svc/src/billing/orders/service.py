"""Orders (B-6, B-12, B-19): price preview, then one invoice, the pending subscriptions and `ServiceOrdered`;
the 2x1 for new clients when the order names a partner (billing.promos.two_for_one)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, InvalidInput, NotFound
from abono.events import ServiceOrdered
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.catalog.models import Product, ProductKind
from billing.catalog.repository import CatalogRepository
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.cycles import local_date, period_end
from billing.discounts.context import discount_context
from billing.discounts.coupons import consume_coupon, usable_coupon
from billing.discounts.engine import LineRequest, PricedLine, price_lines
from billing.discounts.policy import policy_from
from billing.drivers import service as drivers
from billing.invoices.issuing import DraftLine
from billing.invoices.issuing import issue_invoice as issue
from billing.invoices.models import InvoiceKind
from billing.invoices.repository import InvoiceRepository
from billing.invoices.schemas import PreviewLine
from billing.orders.schemas import OrderPlaced, OrderPreview, OrderRequest
from billing.promos import two_for_one as promo
from billing.subscriptions.models import Subscription, SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository
from billing.tlds.repository import order_price_minor
from billing.tlds.service import check_domain_line


@dataclass(frozen=True)
class _Planned:
    draft: DraftLine
    product: Product | None = None
    domain: str | None = None
    transfer: bool = False  # D-1/D-3: a domain transferred in


async def _client(session: AsyncSession, client_id: uuid.UUID) -> Client:
    client = await ClientRepository(session).get(client_id)
    if client is None:
        raise Conflict("Billing does not know your account yet; try again in a moment.")
    return client


async def _two_for_one(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client: Client,
                       request: OrderRequest, lock: bool) -> tuple[uuid.UUID | None, promo.TwoForOneMatch | None]:
    """B-12 2x1: the partner the order names, and its matching earlier order if this one is the free one."""
    if request.partner is None:
        return None, None
    partner = await promo.resolve_partner(session, client, request.partner)
    if partner is None:
        return None, None
    if lock:
        await promo.lock_pair(session, client.id, partner.id)
    found = await CatalogRepository(session).by_codes([i.product_code for i in request.items])
    products = {p.code: p.id for p in found}
    lines = [(products[i.product_code], i.cycle.value) for i in request.items if i.product_code in products]
    return partner.id, await promo.find_match(session=session, clock=clock, settings=settings, client_id=client.id,
                                              partner_id=partner.id, lines=lines)


async def _plan(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client: Client,
                request: OrderRequest, two_for_one: promo.TwoForOneMatch | None = None) -> list[_Planned]:
    catalog, subs = CatalogRepository(session), SubscriptionRepository(session)
    currency = client.currency
    today = local_date(clock.now(), settings.calendar_timezone)
    context = await discount_context(session=session, client_id=client.id, payment_method=request.payment_method,
                                     bundle=True)
    if request.coupon:
        try:
            terms = await usable_coupon(session=session, code=request.coupon, now=clock.now(),
                                        new_client=not await subs.has_any(client.id), currency=currency)
        except InvalidInput:
            if not context.suspended:
                raise
            terms = None  # B-13 withholds every coupon anyway: only a valid one is worth naming as withheld
        context = replace(context, coupon=terms)
    products: list[Product] = []
    requests: list[LineRequest] = []
    for item in request.items:
        product = await catalog.by_code(item.product_code)
        if product is None or not product.active:
            raise InvalidInput(f"No product {item.product_code!r} in the catalog.")
        # C-2: only the cycles the product is sold in.
        if item.cycle.value not in product.cycles:
            raise InvalidInput(f"{product.name} is not sold {item.cycle.value}.")
        await drivers.check_sellable(session, code=product.code, name=product.name, driver=product.driver,
                                     settings=product.driver_settings)
        price = await catalog.price(product.id, item.cycle.value, currency)
        if price is None:
            raise InvalidInput(f"{product.name} has no {item.cycle.value} price in {currency}.")
        amount_minor = price.amount_minor
        if product.kind == ProductKind.DOMAIN:  # D-1: one named domain, at the TLD's register or transfer price
            check_domain_line(product, item.domain, item.quantity, transfer=item.transfer)
            listed = await order_price_minor(session, product_id=product.id, cycle=item.cycle.value,
                                             currency=currency, transfer=item.transfer)
            amount_minor = amount_minor if listed is None else listed
        elif item.transfer:
            raise InvalidInput("Only a domain can be transferred in.")
        products.append(product)
        free = 0  # B-12 2x1: one unit of the first line matching the partner's order
        if two_for_one is not None and (product.id, item.cycle.value) == (two_for_one.product_id, two_for_one.cycle):
            free, two_for_one = 1, None
        requests.append(LineRequest(Money(amount_minor, currency), item.quantity, item.cycle.value, free))
    planned: list[_Planned] = []
    for item, product, priced in zip(request.items, products, price_lines(requests, policy=policy_from(settings),
                                                                          context=context), strict=True):
        end = period_end(today, item.cycle)
        what = f"{product.name} ({item.domain}, transferencia)" if item.transfer else product.name
        planned.append(_Planned(DraftLine(
            kind="service", description=f"{what} · {item.cycle.value} · {today} → {end}", priced=priced,
            product_id=product.id, cycle=item.cycle.value, period_start_on=today, period_end_on=end,
        ), product, item.domain, item.transfer))
        if item.restore_service_id is not None:
            planned.append(await _restoration(session=session, settings=settings, client=client, product=product,
                                              service_id=item.restore_service_id))
    return planned


async def _restoration(*, session: AsyncSession, settings: BillingSettings, client: Client, product: Product,
                       service_id: uuid.UUID) -> _Planned:
    """B-6: a terminated service comes back only as a new order plus the restoration fee."""
    old = await SubscriptionRepository(session).get(service_id)
    if old is None or old.client_id != client.id:
        raise NotFound("No such service.")
    if old.status != SubscriptionStatus.TERMINATED or old.product_id != product.id:
        raise InvalidInput("Only a terminated service of the same product can be restored.")
    fee_minor = settings.restoration_fee_minor.get(client.currency)
    if fee_minor is None:
        raise InvalidInput(f"No restoration fee is configured in {client.currency}; please contact staff.")
    fee = Money(fee_minor, client.currency)
    return _Planned(DraftLine(kind="restoration_fee", description=f"Cargo de restauración ({product.name})",
                              priced=PricedLine(fee, 1, fee), product_id=product.id))


async def preview_order(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                        request: OrderRequest) -> OrderPreview:
    """What the order would cost, every discount shown, without creating anything."""
    client = await _client(session, client_id)
    _, match = await _two_for_one(session=session, clock=clock, settings=settings, client=client, request=request,
                                  lock=False)
    planned = await _plan(session=session, clock=clock, settings=settings, client=client, request=request,
                          two_for_one=match)
    currency = client.currency
    subtotal = sum((p.draft.priced.gross for p in planned), Money.zero(currency))
    discount = sum((p.draft.priced.discount_total for p in planned), Money.zero(currency))
    available = await CreditRepository(session).balance(client_id, currency)
    lines = [PreviewLine.of(p.draft, p.product.code if p.product else None) for p in planned]
    return OrderPreview(currency=currency, lines=lines, subtotal=MoneyModel.of(subtotal),
                        discount=MoneyModel.of(discount), credit_available=MoneyModel.of(available),
                        total=MoneyModel.of(subtotal - discount))


async def place_order(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                      request: OrderRequest) -> OrderPlaced:
    """One invoice for the whole order, one pending subscription per service, `ServiceOrdered` for each."""
    client = await _client(session, client_id)
    partner_id, match = await _two_for_one(session=session, clock=clock, settings=settings, client=client,
                                           request=request, lock=True)
    planned = await _plan(session=session, clock=clock, settings=settings, client=client, request=request,
                          two_for_one=match)
    if request.coupon and any(p.draft.priced.discounts for p in planned):
        await consume_coupon(session=session, code=request.coupon)
    now = clock.now()
    today = local_date(now, settings.calendar_timezone)
    drafts: list[DraftLine] = []
    created: list[tuple[Subscription, _Planned]] = []
    for p in planned:
        if p.product is None or p.draft.kind != "service":
            drafts.append(p.draft)
            continue
        subs = [Subscription(id=uuid.uuid4(), client_id=client.id, product_id=p.product.id, product_code=p.product.code,
                             cycle=p.draft.cycle, currency=client.currency, status=SubscriptionStatus.PENDING.value,
                             payment_method=request.payment_method, domain=p.domain, next_due_on=today,
                             created_at=now, updated_at=now) for _ in range(p.draft.priced.quantity)]
        await SubscriptionRepository(session).add_all(subs)
        created.extend((s, p) for s in subs)
        drafts.append(DraftLine(**{**p.draft.__dict__, "service_ids": tuple(s.id for s in subs)}))
    invoice_id = uuid.uuid4()
    # Provisioning learns of the services before it can learn that their invoice was paid.
    for sub, p in created:
        assert p.product is not None
        await emit(session, ServiceOrdered(
            service_id=sub.id, client_id=client.id, invoice_id=invoice_id, product_id=p.product.id, occurred_at=now,
            product_code=p.product.code, product_name=p.product.name, kind=p.product.kind, cycle=sub.cycle,
            activation=p.product.activation, driver=p.product.driver,
            driver_settings={**p.product.driver_settings, **({"operation": "transfer"} if p.transfer else {})},
            domain=sub.domain,
        ))
    due_on = today + timedelta(days=settings.order_invoice_due_days)
    invoice = await issue(session=session, clock=clock, settings=settings, client_id=client.id,
                          currency=client.currency, kind=InvoiceKind.ORDER, due_on=due_on, lines=drafts,
                          payment_method=request.payment_method, invoice_id=invoice_id)
    await InvoiceRepository(session).claim_periods(invoice.id, [(s.id, today) for s, _ in created])
    if partner_id is not None:
        await promo.record_order(session=session, clock=clock, invoice_id=invoice.id, client_id=client.id,
                                 partner_id=partner_id, match=match, lines=[
                                     (p.product.id, p.draft.cycle) for p in planned
                                     if p.product is not None and p.draft.kind == "service" and p.draft.cycle])
    return OrderPlaced(invoice_id=invoice.id, number=invoice.number, payment_reference=invoice.payment_reference,
                       status=invoice.status, total_due=MoneyModel.of(Money(invoice.total_minor, invoice.currency)),
                       service_ids=[s.id for s, _ in created])

"""Renewals (B-1, B-2, B-16): each renewal invoice issued `renewal_lead_days` before the due date, at the current
price; one client's renewals due the same day in the same currency share one invoice.

Set-based: clients are renewed `chunk_clients` at a time, one transaction per chunk (`renewal_batch`), `parallel`
chunks at once (each on its own connection, sharing the run's memoised prices); a client
with credit (B-10) or an invoice settled at once goes through the per-client path (`_renew_locked`) in it.
Replica-safe: each client is handled under its per-client renewal lock (taken for the whole chunk in one
statement, tried: a client another replica or a change holds is left for the next run), its subscriptions are
re-read and row-locked inside it, and the (subscription, period) primary key refuses a second invoice whatever
happens (the chunk is then rolled back and its clients retried one by one).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict, deque
from datetime import date, timedelta

import structlog
from sqlalchemy import exists, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.money import Money
from billing.catalog.repository import CatalogRepository
from billing.config import BillingSettings
from billing.cycles import Cycle, local_date, period_end
from billing.discounts.engine import LineRequest, price_line
from billing.discounts.policy import policy_from
from billing.invoices.issuing import DraftLine, issue_invoice
from billing.invoices.models import BillingPeriod, InvoiceKind
from billing.invoices.repository import InvoiceRepository
from billing.orders.service import discount_context
from billing.scheduler.renewal_batch import DuplicatePeriod, Pricer, renew_chunk, renewal_description
from billing.subscriptions.models import Subscription, SubscriptionStatus

log = structlog.get_logger("billing.renewals")
RENEWING = (SubscriptionStatus.ACTIVE.value, SubscriptionStatus.SUSPENDED.value)
B16_NOTE = "Renovación al precio y las condiciones vigentes (B-16)."
CHUNK_CLIENTS = 500  # clients per transaction: as many renewal locks held at once (the lock table holds ~6,400)
PARALLEL_CHUNKS = 2  # chunks in flight: one is planned in Python while PostgreSQL writes the other
__all__ = ["B16_NOTE", "RENEWING", "DuplicatePeriod", "issue_renewals", "renewal_line"]


def _due(horizon: date) -> list[object]:
    return [
        Subscription.status.in_(RENEWING),
        Subscription.renew.is_(True),  # B-15: a service set not to renew (a domain) ends at its due date
        Subscription.next_due_on <= horizon,
        Subscription.ends_on.is_(None) | (Subscription.ends_on > Subscription.next_due_on),
        ~exists().where(BillingPeriod.subscription_id == Subscription.id,
                        BillingPeriod.period_start_on == Subscription.next_due_on),
    ]


async def renewal_line(*, session: AsyncSession, settings: BillingSettings, sub: Subscription,
                       due_on: date) -> DraftLine | None:
    """The renewal line of `sub` for the period starting `due_on`: current price and discounts (B-12, B-13, B-16);
    None (logged) when its product has no price for its cycle and currency."""
    catalog = CatalogRepository(session)
    product, price = await catalog.get(sub.product_id), await catalog.price(sub.product_id, sub.cycle, sub.currency)
    if product is None or price is None:
        log.warning("renewal_without_price", subscription_id=str(sub.id), cycle=sub.cycle, currency=sub.currency)
        return None
    context = await discount_context(session=session, client_id=sub.client_id, payment_method=sub.payment_method,
                                     bundle=False)
    priced = price_line(LineRequest(Money(price.amount_minor, sub.currency), 1, sub.cycle),
                        policy=policy_from(settings), context=context)
    end = period_end(due_on, Cycle(sub.cycle))
    return DraftLine(kind="service", description=renewal_description(product.name, sub.cycle, due_on, end),
                     priced=priced, service_ids=(sub.id,), product_id=product.id, cycle=sub.cycle,
                     period_start_on=due_on, period_end_on=end)


async def _renew_client(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                        horizon: date) -> int:
    locked = await session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"),
                                  {"k": f"renewals:{client_id}"})
    if not locked:  # another replica is renewing this client right now
        return 0
    return await _renew_locked(session=session, clock=clock, settings=settings, client_id=client_id,
                               horizon=horizon)


async def _renew_locked(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                        horizon: date) -> int:
    """The per-client path, under the client's renewal lock: one `issue_invoice` per invoice."""
    subs = list(await session.scalars(
        select(Subscription).where(Subscription.client_id == client_id, *_due(horizon))  # type: ignore[arg-type]
        .order_by(Subscription.next_due_on, Subscription.created_at, Subscription.id)
        .with_for_update(skip_locked=True)))
    groups: dict[tuple[str, date], list[Subscription]] = defaultdict(list)
    for sub in subs:
        groups[(sub.currency, sub.next_due_on)].append(sub)
    issued = 0
    for (currency, due_on), members in groups.items():
        drafts = [d for d in [await renewal_line(session=session, settings=settings, sub=sub, due_on=due_on)
                              for sub in members] if d is not None]
        if not drafts:
            continue
        invoice = await issue_invoice(session=session, clock=clock, settings=settings, client_id=client_id,
                                      currency=currency, kind=InvoiceKind.RENEWAL, due_on=due_on, lines=drafts,
                                      payment_method=members[0].payment_method, note=B16_NOTE)
        periods = [(d.service_ids[0], due_on) for d in drafts]
        if len(await InvoiceRepository(session).claim_periods(invoice.id, periods)) != len(periods):
            raise DuplicatePeriod(f"client {client_id}: a period due {due_on} was invoiced already")
        issued += 1
    return issued


async def issue_renewals(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                         settings: BillingSettings, chunk_clients: int = CHUNK_CLIENTS,
                         parallel: int = PARALLEL_CHUNKS) -> int:
    """B-2: issue every renewal invoice whose time has come; returns how many were issued by this run."""
    horizon = local_date(clock.now(), settings.calendar_timezone) + timedelta(days=settings.renewal_lead_days)
    async with unit_of_work(sessionmaker) as session:
        client_ids = list(await session.scalars(
            select(Subscription.client_id).where(*_due(horizon)).distinct()  # type: ignore[arg-type]
            .order_by(Subscription.client_id)))
    chunks = deque(client_ids[start:start + chunk_clients] for start in range(0, len(client_ids), chunk_clients))
    pricer = Pricer(policy_from(settings))

    async def renew_chunks() -> int:  # one of `parallel` workers, each with its own connection
        issued = 0
        while chunks:
            issued += await _renew_chunk(sessionmaker=sessionmaker, clock=clock, settings=settings, pricer=pricer,
                                         client_ids=chunks.popleft(), horizon=horizon)
        return issued

    async with asyncio.TaskGroup() as group:
        workers = [group.create_task(renew_chunks()) for _ in range(max(1, parallel))]
    return sum(worker.result() for worker in workers)


async def _renew_chunk(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                       pricer: Pricer, client_ids: list[uuid.UUID], horizon: date) -> int:
    try:
        async with unit_of_work(sessionmaker) as session:
            async def per_client(client_id: uuid.UUID) -> int:
                return await _renew_locked(session=session, clock=clock, settings=settings, client_id=client_id,
                                           horizon=horizon)

            return await renew_chunk(session=session, settings=settings, pricer=pricer, now=clock.now(),
                                     note=B16_NOTE, client_ids=client_ids, due=_due(horizon), per_client=per_client)
    except (DuplicatePeriod, IntegrityError):  # a claimed period, or a payment reference drawn twice
        log.warning("renewal_chunk_retried_per_client", clients=len(client_ids))
        return await _renew_one_by_one(sessionmaker=sessionmaker, clock=clock, settings=settings,
                                       client_ids=client_ids, horizon=horizon)


async def _renew_one_by_one(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                            settings: BillingSettings, client_ids: list[uuid.UUID], horizon: date) -> int:
    issued = 0
    for client_id in client_ids:
        try:
            async with unit_of_work(sessionmaker) as session:
                issued += await _renew_client(session=session, clock=clock, settings=settings, client_id=client_id,
                                              horizon=horizon)
        except DuplicatePeriod:
            log.warning("renewal_already_issued", client_id=str(client_id))
    return issued

"""The renewal run, set-based (B-1, B-2, B-10, B-12, B-13, B-16): a chunk of clients per transaction.

Per chunk, a fixed number of statements whatever its size: the clients' renewal locks (the same per-client
`renewals:<id>` lock changes take, `billing.renewals.service.lock_client_renewals`, tried for the whole chunk in one
statement), their credit balances (under their credit locks), their due subscriptions with product and current
price (rows locked, `SKIP LOCKED`), their discount facts (B-12 active services, B-13 any suspended); lines priced
in memory by the pure `price_line`, once per distinct input for the whole run (`Pricer`); then one block of invoice
numbers and one statement (`queries.WRITE_SQL`) in which PostgreSQL writes the invoices, their lines, the
(subscription, period) claims, the credit entries and the `InvoiceIssued` outbox rows from the plan sent as arrays:
the events built by `invoices.issuing.invoice_issued` as every other issue builds them, sent as their envelopes'
JSON (`Event.envelope_json`, pydantic-core's serializer: `emit`'s row by row `json.dumps` and parameter processing
cost more than the rest of the chunk's Python), the relay woken as `emit` wakes it (`emit_written`).

Credit (B-10) is applied as `issue_invoice` applies it, under the same per-client credit lock; an invoice that comes
to zero (credit or a free line) is settled once written, as `issue_invoice` settles it. This is the one writer of
renewal invoices: the run's retry of a client alone is a chunk of one (#12 item 3); a test holds it equal to issuing
each invoice with `issue_invoice`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import structlog
from sqlalchemy import ARRAY, Uuid, and_, any_, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import InvoiceIssued
from abono.messaging.outbox import emit_written
from abono.money import Money
from billing import locks
from billing.catalog.models import Price, Product
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.cycles import Cycle, period_end
from billing.discounts.engine import DiscountContext, DiscountPolicy, LineRequest, PricedLine, price_line
from billing.invoices.issuing import CREDIT_APPLIED, discount_rows, invoice_issued, withheld_rows
from billing.invoices.models import InvoiceKind, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.settlement import settle
from billing.locks import LockKind
from billing.renewals.queries import WRITE_SQL
from billing.subscriptions.models import Subscription, SubscriptionStatus

log = structlog.get_logger("billing.renewals")

class DuplicatePeriod(RuntimeError):
    """A period was already invoiced: the transaction is rolled back (never reached under the client lock)."""


@dataclass(frozen=True)
class DueRow:
    subscription_id: uuid.UUID
    client_id: uuid.UUID
    product_id: uuid.UUID
    product_name: str | None  # None: the product is gone
    cycle: str
    currency: str
    payment_method: str | None
    due_on: date
    price_minor: int | None  # None: no price for this cycle and currency


@dataclass(frozen=True)
class Priced:
    """A priced line and the figures the run writes, computed once per distinct line (money sums are not free)."""

    k: int  # 1-based position among the run's priced lines (`WRITE_SQL` joins the lines to them by it)
    line: PricedLine
    unit_minor: int
    gross_minor: int
    discount_minor: int
    total_minor: int
    discounts_json: str
    withheld_json: str

    @classmethod
    def of(cls, k: int, line: PricedLine) -> Priced:
        discount = line.discount_total.amount_minor
        return cls(k, line, line.unit_price.amount_minor, line.gross.amount_minor, discount,
                   line.gross.amount_minor - discount, json.dumps(discount_rows(line)),
                   json.dumps(withheld_rows(line)))


@dataclass(frozen=True)
class PlannedLine:
    row: DueRow
    description: str
    period_end_on: date
    priced: Priced


@dataclass(frozen=True)
class PlannedInvoice:
    client_id: uuid.UUID
    currency: str
    due_on: date
    payment_method: str | None
    lines: tuple[PlannedLine, ...]
    subtotal_minor: int
    discount_minor: int
    credit_minor: int = 0  # B-10: credit applied at issue

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor - self.discount_minor - self.credit_minor


def random_uuids(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs, as `uuid.uuid4` draws them but from one read of the system's randomness."""
    data = os.urandom(16 * count)
    return [uuid.UUID(bytes=data[start:start + 16], version=4) for start in range(0, 16 * count, 16)]


def uuid_array(ids: Sequence[uuid.UUID]) -> Any:
    """One array parameter (`= ANY(...)`), not one parameter per id as `IN` renders: cheaper to build and send."""
    return literal(list(ids), ARRAY(Uuid))


async def lock_clients(session: AsyncSession, client_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The clients whose renewal lock we got (another replica, or a change in progress, holds the others)."""
    return await locks.try_hold_each(session, LockKind.RENEWALS, client_ids)


async def due_rows(session: AsyncSession, client_ids: Sequence[uuid.UUID], due: list[Any]) -> list[DueRow]:
    """The clients' due subscriptions (the conditions `due`), locked, in the order they are invoiced."""
    stmt = (
        select(Subscription.id, Subscription.client_id, Subscription.product_id, Product.name, Subscription.cycle,
               Subscription.currency, Subscription.payment_method, Subscription.next_due_on, Price.amount_minor)
        .outerjoin(Product, Product.id == Subscription.product_id)
        .outerjoin(Price, and_(Price.product_id == Subscription.product_id, Price.cycle == Subscription.cycle,
                               Price.currency == Subscription.currency))
        .where(Subscription.client_id == any_(uuid_array(client_ids)), *due)
        .order_by(Subscription.client_id, Subscription.next_due_on, Subscription.created_at, Subscription.id)
        .with_for_update(of=Subscription, skip_locked=True)
    )
    connection = await session.connection()  # Core rows: the ORM's row processing costs more than the rest
    return [DueRow(*row) for row in await connection.execute(stmt)]


async def discount_facts(session: AsyncSession, client_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[int, bool]]:
    """Per client: active services (B-12 tiers) and whether one is suspended (B-13), as `discount_context` reads."""
    rows = await session.execute(
        select(Subscription.client_id,
               func.count().filter(Subscription.status == SubscriptionStatus.ACTIVE.value),
               func.bool_or(Subscription.status == SubscriptionStatus.SUSPENDED.value))
        .where(Subscription.client_id == any_(uuid_array(client_ids))).group_by(Subscription.client_id))
    return {client_id: (int(active), bool(suspended)) for client_id, active, suspended in rows}


Balances = dict[tuple[uuid.UUID, str], int]


async def credit_balances(session: AsyncSession, client_ids: Sequence[uuid.UUID]) -> Balances:
    """B-10: the clients' positive balances by (client, currency), read under their credit locks (the lock
    `CreditRepository.lock` takes, here for the clients with credit only, in one statement)."""
    credit = CreditRepository(session)
    holders = sorted({client_id for client_id, _ in await credit.positive_balances(client_ids)})
    if not holders:
        return {}
    await credit.lock_many(holders)
    return await credit.positive_balances(holders)


def apply_credit(invoices: Sequence[PlannedInvoice], balances: Balances) -> list[PlannedInvoice]:
    """B-10 as `issue_invoice` applies it, invoice after invoice: the balance in the invoice's currency pays what it
    can (an invoice it pays in full comes to zero and is settled once written)."""
    applied: list[PlannedInvoice] = []
    for invoice in invoices:
        key = (invoice.client_id, invoice.currency)
        use = min(balances.get(key, 0), invoice.total_minor)
        if use > 0:
            balances[key] -= use
            invoice = replace(invoice, credit_minor=use)
        applied.append(invoice)
    return applied


def renewal_description(product_name: str, cycle: str, start: date, end: date) -> str:
    """A renewal line's text, the same on both paths."""
    return f"Renovación {product_name} · {cycle} · {start} → {end}"


@lru_cache(maxsize=4096)
def _period(due_on: date, cycle: str) -> date:
    return period_end(due_on, Cycle(cycle))


class Pricer:
    """`price_line` memoised by its inputs (it is pure): a renewal run prices the same few lines again and again."""

    def __init__(self, policy: DiscountPolicy) -> None:
        self.policy = policy
        self._cache: dict[tuple[int, str, str, int, str | None, bool], Priced] = {}
        self.priced: list[Priced] = []  # in order of `Priced.k`

    def price(self, *, amount_minor: int, currency: str, cycle: str, active: int, method: str | None,
              suspended: bool) -> Priced:
        key = (amount_minor, currency, cycle, active, method, suspended)
        priced = self._cache.get(key)
        if priced is None:
            context = DiscountContext(active_services=active, payment_method=method, suspended=suspended,
                                      bundle=False)
            priced = Priced.of(len(self.priced) + 1, price_line(LineRequest(Money(amount_minor, currency), 1, cycle),
                                                                policy=self.policy, context=context))
            self._cache[key] = priced
            self.priced.append(priced)
        return priced


def plan_client(rows: Sequence[DueRow], facts: tuple[int, bool], pricer: Pricer) -> list[PlannedInvoice]:
    """One client's renewal invoices: one per currency and due date (B-1), lines at the current price (B-16)."""
    active, suspended = facts
    groups: dict[tuple[str, date], list[DueRow]] = {}
    for row in rows:
        groups.setdefault((row.currency, row.due_on), []).append(row)
    planned: list[PlannedInvoice] = []
    for (currency, due_on), members in groups.items():
        lines: list[PlannedLine] = []
        for row in members:
            if row.product_name is None or row.price_minor is None:
                log.warning("renewal_without_price", subscription_id=str(row.subscription_id), cycle=row.cycle,
                            currency=row.currency)
                continue
            end = _period(due_on, row.cycle)
            priced = pricer.price(amount_minor=row.price_minor, currency=currency, cycle=row.cycle, active=active,
                                  method=row.payment_method, suspended=suspended)
            lines.append(PlannedLine(row, renewal_description(row.product_name, row.cycle, due_on, end), end, priced))
        if lines:
            planned.append(PlannedInvoice(members[0].client_id, currency, due_on, members[0].payment_method,
                                          tuple(lines), sum(line.priced.gross_minor for line in lines),
                                          sum(line.priced.discount_minor for line in lines)))
    return planned


async def write_invoices(*, session: AsyncSession, settings: BillingSettings, clock: Clock, now: datetime,
                         note: str, invoices: Sequence[PlannedInvoice], priced: Sequence[Priced]) -> int:
    """Insert the planned invoices, their lines, their periods, their credit entries and their `InvoiceIssued`
    events (built by `invoice_issued`) with `WRITE_SQL`; an invoice that comes to zero (credit, a free line) is
    then settled, as `issue_invoice` settles it. `priced`: every `Priced` the lines refer to, by position
    (`Priced.k`)."""
    if not invoices:
        return 0
    repo = InvoiceRepository(session)
    numbers = await repo.next_numbers(settings.invoice_number_prefix, len(invoices))
    references = repo.new_payment_references(settings.payment_reference_length, len(invoices))
    ids, event_ids = random_uuids(len(invoices)), random_uuids(len(invoices))
    clients, currencies, dues, methods, subtotals, discounts, credits = [], [], [], [], [], [], []
    l_number: list[str] = []
    l_position: list[int] = []
    l_subscription: list[uuid.UUID] = []
    l_product: list[uuid.UUID] = []
    l_cycle: list[str] = []
    l_end: list[date] = []
    l_description: list[str] = []
    l_priced: list[int] = []
    for planned, number in zip(invoices, numbers, strict=True):
        clients.append(planned.client_id)
        currencies.append(planned.currency)
        dues.append(planned.due_on)
        methods.append(planned.payment_method)
        subtotals.append(planned.subtotal_minor)
        discounts.append(planned.discount_minor)
        credits.append(planned.credit_minor)
        for position, line in enumerate(planned.lines, start=1):
            l_number.append(number)
            l_position.append(position)
            l_subscription.append(line.row.subscription_id)
            l_product.append(line.row.product_id)
            l_cycle.append(line.row.cycle)
            l_end.append(line.period_end_on)
            l_description.append(line.description)
            l_priced.append(line.priced.k)
    events = [invoice_issued(
        _Issued(id=invoice_id, client_id=p.client_id, number=number, payment_reference=reference, currency=p.currency,
                kind=InvoiceKind.RENEWAL.value, issued_at=now, due_on=p.due_on, total_minor=p.total_minor),
        [(line.description, line.priced.total_minor, (line.row.subscription_id,), line.row.cycle) for line in p.lines],
        event_id) for p, invoice_id, event_id, number, reference in zip(invoices, ids, event_ids, numbers, references,
                                                                       strict=True)]
    row = (await session.execute(WRITE_SQL, {
        "p_quantity": [p.line.quantity for p in priced], "p_unit": [p.unit_minor for p in priced],
        "p_gross": [p.gross_minor for p in priced], "p_discount": [p.discount_minor for p in priced],
        "p_amount": [p.total_minor for p in priced], "p_discounts": [p.discounts_json for p in priced],
        "p_withheld": [p.withheld_json for p in priced],
        "l_number": l_number, "l_position": l_position, "l_subscription": l_subscription, "l_product": l_product,
        "l_cycle": l_cycle, "l_end": l_end, "l_description": l_description, "l_priced": l_priced,
        "id": ids, "number": numbers, "reference": references, "client": clients, "currency": currencies,
        "due_on": dues, "method": methods, "subtotal": subtotals, "discount": discounts, "credit": credits,
        "credit_reason": CREDIT_APPLIED,
        "kind": InvoiceKind.RENEWAL.value, "status": InvoiceStatus.UNPAID.value, "now": now, "note": note,
        "event_id": [e.event_id for e in events], "payload": [e.envelope_json() for e in events],
        "routing_key": InvoiceIssued.routing_key, "lane": int(InvoiceIssued.lane),
    })).one()
    if row.claimed != row.lines:
        raise DuplicatePeriod("a period of this chunk was invoiced already")
    await emit_written(session)
    for planned, invoice_id in zip(invoices, ids, strict=True):
        if planned.total_minor == 0:  # B-10: paid in full at issue
            invoice = await repo.get(invoice_id, for_update=True)
            assert invoice is not None
            await settle(session=session, clock=clock, settings=settings, invoice=invoice, method="credit")
    return len(invoices)


@dataclass(frozen=True)
class _Issued:
    """A planned invoice as written, for `invoice_issued`."""

    id: uuid.UUID
    client_id: uuid.UUID
    number: str
    payment_reference: str
    currency: str
    kind: str
    issued_at: datetime
    due_on: date
    total_minor: int


async def renew_chunk(*, session: AsyncSession, settings: BillingSettings, pricer: Pricer, clock: Clock,
                      note: str, client_ids: Sequence[uuid.UUID], due: list[Any]) -> int:
    """Renew a chunk of clients in the caller's transaction (the one renewal writer: a single client is a chunk of
    one); returns how many invoices were issued. `pricer`: the run's (shared by its chunks)."""
    # Plans for these very arrays: after five runs, the generic plan of a prepared statement guesses their sizes
    # and nests loops over them (measured: 3x slower run).
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    locked = await lock_clients(session, client_ids)
    if not locked:
        return 0
    # Credit locks before the subscriptions' row locks: a payment holding a credit lock never waits for us then.
    balances = await credit_balances(session, locked)
    rows = await due_rows(session, locked, due)
    by_client: dict[uuid.UUID, list[DueRow]] = {}
    for row in rows:
        by_client.setdefault(row.client_id, []).append(row)
    if not by_client:
        return 0
    facts = await discount_facts(session, list(by_client))
    batch: list[PlannedInvoice] = []
    for client_id, client_rows in by_client.items():
        batch.extend(apply_credit(plan_client(client_rows, facts.get(client_id, (0, False)), pricer), balances))
    return await write_invoices(session=session, settings=settings, clock=clock, now=clock.now(), note=note,
                                invoices=batch, priced=pricer.priced)

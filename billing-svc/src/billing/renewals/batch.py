"""The renewal run, set-based (B-1, B-2, B-10, B-12, B-13, B-16): a chunk of clients per transaction.

Per chunk, a fixed number of statements whatever its size: the clients' renewal locks (the same per-client
`renewals:<id>` lock changes take, `billing.renewals.service.lock_client_renewals`, tried for the whole chunk in one
statement), the credit locks of those with credit (B-10), then `queries.plan_statement`: their due subscriptions
(rows locked, `SKIP LOCKED`) in groups that price and end alike, with their ids. Each distinct group is priced in
memory by the pure `price_line`, once for the whole run (`Pricer`: a few hundred distinct lines), its period's end
by `period_end`; then one block of invoice numbers, the invoices' payment references, and one statement
(`queries.WRITE_SQL`) in which PostgreSQL groups the lines into invoices, applies the credit and writes the invoices,
their lines, the (subscription, period) claims, the credit entries and the `InvoiceIssued` outbox rows (their JSON
built there, from `envelope_head` and the rows), the relay woken as `emit` wakes it (`emit_written`). Python handles
no object per invoice or line (issue 20 item 4).

Credit (B-10) is applied as `issue_invoice` applies it, under the same per-client credit lock; an invoice that comes
to zero (credit or a free line) is settled once written, as `issue_invoice` settles it. This is the one writer of
renewal invoices: the run's retry of a client alone is a chunk of one (#12 item 3); a test holds it equal to issuing
each invoice with `issue_invoice`, another holds its events equal to `invoice_issued`'s.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import structlog
from sqlalchemy import and_, any_, select, text
from sqlalchemy.exc import IntegrityError
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
from billing.renewals.queries import WRITE_SQL, plan_statement, uuid7_base, uuid_array
from billing.subscriptions.models import Subscription

log = structlog.get_logger("billing.renewals")
CLAIM_KEY = "pk_billing_periods"  # B-2: one invoice per (subscription, period)

class DuplicatePeriod(RuntimeError):
    """A period was already invoiced: the transaction is rolled back (never reached under the client lock)."""


class PlanChanged(RuntimeError):
    """What the chunk wrote is not what it planned (a product gone between its two statements): rolled back."""


@dataclass(frozen=True)
class DueRow:
    """A due subscription as the per-invoice path reads it (`due_rows`)."""

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


async def lock_credit(session: AsyncSession, client_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """B-10: the credit locks (`CreditRepository.lock`'s) of the clients with a positive balance, in one statement;
    returns them: `WRITE_SQL` applies the credit of these clients only."""
    credit = CreditRepository(session)
    holders = sorted({client_id for client_id, _ in await credit.positive_balances(client_ids)})
    if holders:
        await credit.lock_many(holders)
    return holders


RENEWAL_PREFIX = "Renovación "  # then the product's name and `renewal_period_text`


def renewal_period_text(cycle: str, start: date, end: date) -> str:
    return f" · {cycle} · {start.isoformat()} → {end.isoformat()}"


def renewal_description(product_name: str, cycle: str, start: date, end: date) -> str:
    """A renewal line's text, the same on both paths (`WRITE_SQL` joins the prefix, the name and its group's period
    text: cheaper than formatting dates per line)."""
    return RENEWAL_PREFIX + product_name + renewal_period_text(cycle, start, end)


@lru_cache(maxsize=4096)
def _period(due_on: date, cycle: str) -> tuple[date, str]:
    end = period_end(due_on, Cycle(cycle))
    return end, renewal_period_text(cycle, due_on, end)


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


@dataclass
class Plan:
    """A chunk's due subscriptions, by group (`queries.plan_statement`): `subscriptions[i]` is in group
    `groups[i]` (1-based), group `g` is priced `priced_k[g - 1]` and ends `period_end[g - 1]` (its lines'
    description ends `period_text[g - 1]`)."""

    subscriptions: list[uuid.UUID]
    groups: list[int]
    priced_k: list[int]
    period_end: list[date]
    period_text: list[str]
    invoices: int = 0


async def plan_chunk(session: AsyncSession, client_ids: Sequence[uuid.UUID], due: list[Any], pricer: Pricer) -> Plan:
    """Lock the clients' due subscriptions and price each group of them (`Pricer`); a subscription without a
    product or a price for its cycle and currency is left out (logged)."""
    plan = Plan([], [], [], [], [])
    for row in await (await session.connection()).execute(plan_statement(client_ids, due)):
        if row.amount_minor is None or not row.has_product:
            for subscription_id in row.ids:
                log.warning("renewal_without_price", subscription_id=str(subscription_id), cycle=row.cycle,
                            currency=row.currency)
            continue
        priced = pricer.price(amount_minor=row.amount_minor, currency=row.currency, cycle=row.cycle,
                              active=row.active, method=row.payment_method, suspended=row.suspended)
        plan.priced_k.append(priced.k)
        end, period_text = _period(row.due_on, row.cycle)
        plan.period_end.append(end)
        plan.period_text.append(period_text)
        plan.subscriptions.extend(row.ids)
        plan.groups.extend([len(plan.priced_k)] * len(row.ids))
        plan.invoices = row.invoices
    return plan


@dataclass(frozen=True)
class _Issued:
    """The fields of an invoice `invoice_issued` reads; `envelope_head` needs a placeholder."""

    id: uuid.UUID
    client_id: uuid.UUID
    number: str
    payment_reference: str
    currency: str
    kind: str
    issued_at: datetime
    due_on: date
    total_minor: int


ENVELOPE_FROM_ROWS = ("event_id", "invoice_id", "client_id", "number", "payment_reference", "total", "due_on",
                      "lines")  # what `WRITE_SQL` writes from each invoice's rows


def envelope_head(now: datetime) -> str:
    """The part of every renewal's `InvoiceIssued` envelope that is the same for the chunk (type, version,
    occurred_at, kind), as JSON, taken from an event `invoice_issued` builds: PostgreSQL adds the rest."""
    sample = invoice_issued(_Issued(id=uuid.UUID(int=0), client_id=uuid.UUID(int=0), number="", payment_reference="",
                                    currency="USD", kind=InvoiceKind.RENEWAL.value, issued_at=now, due_on=now.date(),
                                    total_minor=0), [], uuid.UUID(int=0))
    return json.dumps({k: v for k, v in sample.envelope().items() if k not in ENVELOPE_FROM_ROWS})


async def write_invoices(*, session: AsyncSession, settings: BillingSettings, clock: Clock, now: datetime,
                         note: str, plan: Plan, credit_clients: Sequence[uuid.UUID], priced: Sequence[Priced]) -> int:
    """Write the planned invoices, their lines, their periods, their credit entries and their `InvoiceIssued`
    events with `WRITE_SQL`; an invoice that comes to zero (credit, a free line) is then settled, as
    `issue_invoice` settles it. `priced`: every `Priced` the groups refer to, by position (`Priced.k`)."""
    if not plan.invoices:
        return 0
    repo = InvoiceRepository(session)
    numbers = await repo.next_numbers(settings.invoice_number_prefix, plan.invoices)
    try:
        row = (await session.execute(WRITE_SQL, _write_parameters(settings, repo, now, note, plan, credit_clients,
                                                                  priced, numbers))).one()
    except IntegrityError as error:  # B-2: a period of the chunk claimed already (the claims' primary key)
        if CLAIM_KEY in str(error.orig):
            raise DuplicatePeriod("a period of this chunk was invoiced already") from error
        raise
    if row.lines != len(plan.subscriptions) or row.invoices != plan.invoices:
        raise PlanChanged(f"planned {len(plan.subscriptions)} lines on {plan.invoices} invoices, "
                          f"wrote {row.lines} on {row.invoices}")
    await emit_written(session, InvoiceIssued.lane)
    for invoice_id in row.settled_at_issue or ():  # B-10: paid in full at issue
        invoice = await repo.get(invoice_id, for_update=True)
        assert invoice is not None
        await settle(session=session, clock=clock, settings=settings, invoice=invoice, method="credit")
    return plan.invoices


def _write_parameters(settings: BillingSettings, repo: InvoiceRepository, now: datetime, note: str, plan: Plan,
                      credit_clients: Sequence[uuid.UUID], priced: Sequence[Priced],
                      numbers: list[str]) -> dict[str, Any]:
    id_hi, id_lo = uuid7_base()
    return {
        "p_quantity": [p.line.quantity for p in priced], "p_unit": [p.unit_minor for p in priced],
        "p_gross": [p.gross_minor for p in priced], "p_discount": [p.discount_minor for p in priced],
        "p_amount": [p.total_minor for p in priced], "p_discounts": [p.discounts_json for p in priced],
        "p_withheld": [p.withheld_json for p in priced],
        "g_priced": plan.priced_k, "g_end": plan.period_end, "g_period": plan.period_text,
        "l_subscription": plan.subscriptions, "l_group": plan.groups,
        "number": numbers, "reference": repo.new_payment_references(settings.payment_reference_length, plan.invoices),
        "credit_clients": list(credit_clients), "credit_reason": CREDIT_APPLIED, "description": RENEWAL_PREFIX,
        "kind": InvoiceKind.RENEWAL.value, "status": InvoiceStatus.UNPAID.value, "now": now, "note": note,
        "head": envelope_head(now), "routing_key": InvoiceIssued.routing_key, "lane": int(InvoiceIssued.lane),
        "id_hi": id_hi, "id_lo": id_lo,
    }


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
    credit_clients = await lock_credit(session, locked)
    plan = await plan_chunk(session, locked, due, pricer)
    return await write_invoices(session=session, settings=settings, clock=clock, now=clock.now(), note=note,
                                plan=plan, credit_clients=credit_clients, priced=pricer.priced)

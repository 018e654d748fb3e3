"""The set-based dunning sweep (B-3, B-4, B-5) gives the decisions dunning each invoice in turn gives: each step once,
one `SuspensionDecided` per (invoice, rule) listing only the services it suspended, nothing for a paid invoice,
nothing on a rerun, and each decision once with concurrent runners."""

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from billing_helpers import outbox, sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import FixedClock
from abono.db import asyncpg_dsn, make_engine, make_sessionmaker
from billing.config import BillingSettings
from billing.cycles import add_business_days
from billing.dunning.jobs import run_dunning

SETTINGS = BillingSettings()
TZ = ZoneInfo(SETTINGS.calendar_timezone)
SUSPENSION = "billing.service.suspension_decided"
# Thursday 1 April 2027; Friday 2 April is an Argentine holiday (Malvinas): B-5 falls on Friday 9, not Thursday 8.
HOLIDAY_WEEK_DUE = date(2027, 4, 1)


def at(day: date) -> FixedClock:
    return FixedClock(datetime.combine(day, time(12), tzinfo=TZ).astimezone(UTC))


async def sweep(sessionmaker: async_sessionmaker[AsyncSession], day: date, chunk: int = 3) -> None:
    """A small chunk, so the mixed set spans several sweep transactions."""
    await run_dunning(sessionmaker=sessionmaker, clock=at(day), settings=SETTINGS, chunk=chunk)


class Ledger:
    """Clients, services and unpaid invoices written straight to billing's tables."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[uuid.UUID] = []
        self.invoices: list[uuid.UUID] = []
        self._created = datetime(2027, 1, 1, tzinfo=UTC)

    async def _execute(self, query: str, *args: object) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            await conn.execute(query, *args)
        finally:
            await conn.close()

    async def client(self) -> uuid.UUID:
        self.clients.append(uuid.uuid4())
        return self.clients[-1]

    async def service(self, client_id: uuid.UUID, status: str = "active") -> uuid.UUID:
        service_id, self._created = uuid.uuid4(), self._created + timedelta(seconds=1)  # created_at orders them
        await self._execute("""
            INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status, next_due_on,
                                       created_at, updated_at)
            SELECT $1, $2, id, code, 'monthly', 'USD', $3, DATE '2027-01-01', $4, $4 FROM products ORDER BY code LIMIT 1
        """, service_id, client_id, status, self._created)
        return service_id

    async def invoice(self, client_id: uuid.UUID, due_on: date, services: list[uuid.UUID],
                      status: str = "unpaid") -> uuid.UUID:
        invoice_id = uuid.uuid4()
        await self._execute("""
            INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                                  subtotal_minor, discount_minor, credit_applied_minor, total_minor, note)
            VALUES ($1::uuid, 'T-' || $1::uuid::text, 'R-' || $1::uuid::text, $2, 'USD', 'renewal', $3, $4, $5,
                    1000, 0, 0, 1000, '')
        """, invoice_id, client_id, status, datetime.combine(due_on - timedelta(days=15), time(12), tzinfo=UTC),
                            due_on)
        await self._execute("""
            INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, quantity,
                                       unit_price_minor, gross_minor, discount_minor, amount_minor, discounts)
            VALUES ($1, $2, 1, 'service', 'hosting', $3, 1, 1000, 1000, 0, 1000, '[]')
        """, uuid.uuid4(), invoice_id, services)
        self.invoices.append(invoice_id)
        return invoice_id

    async def settle_all(self) -> None:
        """Out of the way of the module's other tests, which sweep the same database on other days."""
        await self._execute("UPDATE invoices SET status = 'paid' WHERE id = ANY($1::uuid[])", self.invoices)

    async def decisions(self) -> list[tuple[str, str, list[str]]]:
        mine = {str(c) for c in self.clients}
        return [(str(e["invoice_id"]), str(e["rule"]), list(e["service_ids"]))  # type: ignore[call-overload]
                for e in await outbox(self.url, SUSPENSION) if e["client_id"] in mine]

    async def statuses(self) -> dict[uuid.UUID, str]:
        rows = await sql(self.url, "SELECT id, status FROM subscriptions WHERE client_id = ANY($1::uuid[])",
                         self.clients)
        return {row["id"]: str(row["status"]) for row in rows}  # type: ignore[misc]


@pytest.fixture
async def ledger(billing_db: str) -> Ledger:
    return Ledger(billing_db)


def test_b5_the_holiday_week_used_below_moves_the_b5_day() -> None:
    assert add_business_days(HOLIDAY_WEEK_DUE, SETTINGS.suspend_all_after_business_days, "AR") == date(2027, 4, 9)


async def test_b3_b4_b5_sweep_over_a_mixed_set_decides_as_dunning_each_invoice_in_turn(
        ledger: Ledger, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    thursday, friday = date(2027, 4, 8), date(2027, 4, 9)
    due_today = await ledger.client()
    a1 = await ledger.service(due_today)
    await ledger.invoice(due_today, thursday, [a1])
    due_plus_2 = await ledger.client()
    b1, b2 = await ledger.service(due_plus_2), await ledger.service(due_plus_2)  # b2 on no unpaid invoice
    b_invoice = await ledger.invoice(due_plus_2, thursday - timedelta(days=2), [b1])
    due_plus_1 = await ledger.client()
    c1 = await ledger.service(due_plus_1)
    c_invoice = await ledger.invoice(due_plus_1, thursday - timedelta(days=1), [c1])
    holiday = await ledger.client()  # one service already suspended, one not on the invoice
    d1, d2 = await ledger.service(holiday), await ledger.service(holiday)
    d3 = await ledger.service(holiday, status="suspended")
    d_invoice = await ledger.invoice(holiday, HOLIDAY_WEEK_DUE, [d3, d1])
    paid = await ledger.client()
    e1 = await ledger.service(paid)
    await ledger.invoice(paid, thursday - timedelta(days=3), [e1], status="paid")
    reminded = await ledger.client()
    f1, f2 = await ledger.service(reminded), await ledger.service(reminded)
    f_in_5 = await ledger.invoice(reminded, thursday + timedelta(days=5), [f1])
    f_in_10 = await ledger.invoice(reminded, thursday + timedelta(days=10), [f2])
    two_invoices = await ledger.client()  # the older invoice's B-5 takes the newer invoice's service first
    g1, g2, g3 = [await ledger.service(two_invoices) for _ in range(3)]
    g_old = await ledger.invoice(two_invoices, HOLIDAY_WEEK_DUE, [g1])
    await ledger.invoice(two_invoices, friday - timedelta(days=2), [g2])
    try:
        await sweep(sessionmaker, thursday)
        first = await ledger.decisions()
        assert sorted(first) == sorted([
            (str(b_invoice), "B-4", [str(b1)]),
            (str(d_invoice), "B-4", [str(d1)]),  # d3 was suspended already
            (str(g_old), "B-4", [str(g1)]),
        ])
        reminders = [(r["invoice_id"], r["days_before"]) for r in await outbox(billing_db, "billing.invoice.reminder")
                     if r["client_id"] == str(reminded)]
        assert sorted(reminders) == sorted([(str(f_in_5), 5), (str(f_in_10), 10)])  # only the latest reached
        await sweep(sessionmaker, thursday)
        assert await ledger.decisions() == first  # a rerun the same day decides nothing
        await sweep(sessionmaker, friday)
        second = (await ledger.decisions())[len(first):]
        assert sorted(second) == sorted([
            (str(c_invoice), "B-4", [str(c1)]),
            (str(d_invoice), "B-5", [str(d2)]),  # B-5 on the 5th business day, the holiday skipped
            (str(g_old), "B-5", [str(g2), str(g3)]),  # the newer invoice's B-4 then finds nothing active
        ])
        await sweep(sessionmaker, friday)
        assert len(await ledger.decisions()) == len(first) + len(second)
        assert len(await outbox(billing_db, "billing.invoice.reminder", client_id=str(reminded))) == 2
        suspended = {s for _, _, services in first + second for s in services}
        assert {str(k): v for k, v in (await ledger.statuses()).items()} == {
            str(s): "suspended" if str(s) in suspended or s == d3 else "active"
            for s in (a1, b1, b2, c1, d1, d2, d3, e1, f1, f2, g1, g2, g3)}
    finally:
        await ledger.settle_all()


async def test_b4_b9_an_invoice_being_paid_during_the_sweep_gets_no_decision(
        ledger: Ledger, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    due, day = date(2027, 5, 3), date(2027, 5, 5)  # B-4 day
    client_id = await ledger.client()
    paying, other = await ledger.service(client_id), await ledger.service(client_id)
    being_paid = await ledger.invoice(client_id, due, [paying])
    unpaid = await ledger.invoice(client_id, due, [other])
    payment = await asyncpg.connect(asyncpg_dsn(billing_db))
    try:
        async with payment.transaction():  # a payment holds the invoice, as confirming a transfer does
            await payment.execute("SELECT 1 FROM invoices WHERE id = $1 FOR UPDATE", being_paid)
            await sweep(sessionmaker, day)  # skips it rather than waiting
            await payment.execute("UPDATE invoices SET status = 'paid' WHERE id = $1", being_paid)
        await sweep(sessionmaker, day)
        assert await ledger.decisions() == [(str(unpaid), "B-4", [str(other)])]
        assert await ledger.statuses() == {paying: "active", other: "suspended"}
    finally:
        await payment.close()
        await ledger.settle_all()


async def test_b4_b5_two_concurrent_sweeps_decide_each_suspension_once(ledger: Ledger, billing_db: str) -> None:
    due, day = date(2027, 6, 1), date(2027, 6, 10)  # past B-4 and B-5, before B-6
    expected: set[uuid.UUID] = set()
    for n in range(40):
        client_id = await ledger.client()
        services = [await ledger.service(client_id) for _ in range(1 + n % 3)]
        await ledger.invoice(client_id, due, services[:1])
        if n % 4 == 0:  # a second overdue invoice for the same client
            await ledger.invoice(client_id, due + timedelta(days=1), services[1:2] or services[:1])
        expected.update(services)
    engines = [make_engine(billing_db, pool_size=4) for _ in range(2)]
    try:
        await asyncio.gather(*(run_dunning(sessionmaker=make_sessionmaker(e), clock=at(day), settings=SETTINGS,
                                           chunk=chunk) for e in engines for chunk in (5, 7)))
        decisions = await ledger.decisions()
        per_service = Counter(s for _, _, services in decisions for s in services)
        assert set(per_service) == {str(s) for s in expected}
        assert set(per_service.values()) == {1}  # every service decided, none twice
        assert len({(invoice, rule) for invoice, rule, _ in decisions}) == len(decisions)
        await run_dunning(sessionmaker=make_sessionmaker(engines[0]), clock=at(day), settings=SETTINGS)
        assert len(await ledger.decisions()) == len(decisions)
        assert set((await ledger.statuses()).values()) == {"suspended"}
    finally:
        for engine in engines:
            await engine.dispose()
        await ledger.settle_all()

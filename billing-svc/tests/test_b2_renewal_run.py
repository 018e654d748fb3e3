"""The set-based renewal run (B-1, B-2, B-10, B-12, B-13, B-15, B-16), the one writer of renewal invoices, issues
exactly what `issue_invoice` (the path of every other invoice) issues for the same renewals, once, whatever the number
of runs and concurrent runners."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from billing_helpers import sql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import FixedClock
from abono.db import make_engine, make_sessionmaker, unit_of_work
from billing.config import BillingSettings
from billing.discounts.policy import policy_from
from billing.invoices.issuing import issue_invoice
from billing.invoices.models import InvoiceKind
from billing.invoices.repository import InvoiceRepository
from billing.renewals.batch import DuplicatePeriod, Pricer, due_rows, renew_chunk
from billing.renewals.jobs import issue_renewals
from billing.renewals.repository import due_conditions
from billing.renewals.service import B16_NOTE, renewal_line
from billing.subscriptions.models import Subscription
from billing.subscriptions.repository import SubscriptionRepository

SETTINGS = BillingSettings()
TZ = ZoneInfo(SETTINGS.calendar_timezone)
RUN_DAY = date(2031, 3, 3)  # horizon: 18 March (B-2: 15 days ahead)
INVOICES = """SELECT i.id, i.client_id, i.number, i.currency, i.kind, i.status, i.due_on, i.subtotal_minor,
    i.discount_minor, i.credit_applied_minor, i.total_minor, i.payment_method, i.note, i.paid_method
    FROM invoices i WHERE i.client_id = ANY($1::uuid[]) AND i.kind = 'renewal' ORDER BY i.client_id, i.number"""
LINES = """SELECT l.invoice_id, l.position, l.kind, l.description, l.service_ids, l.product_id, l.cycle,
    l.period_start_on, l.period_end_on, l.quantity, l.unit_price_minor, l.gross_minor, l.discount_minor,
    l.amount_minor, l.discounts::text AS discounts, l.withheld::text AS withheld
    FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
    WHERE i.client_id = ANY($1::uuid[]) AND i.kind = 'renewal' ORDER BY i.client_id, i.number, l.position"""
EVENTS = """SELECT o.routing_key, o.payload->>'invoice_id' AS invoice_id, o.payload->>'total' AS total,
    o.payload->>'lines' AS lines, o.payload->>'kind' AS kind
    FROM outbox o WHERE o.routing_key IN ('billing.invoice.issued', 'billing.invoice.paid')
    AND o.payload->>'client_id' = ANY($1::text[]) ORDER BY o.id"""
CREDITS = """SELECT c.invoice_id, c.currency, c.amount_minor, c.reason FROM credit_entries c
    WHERE c.client_id = ANY($1::uuid[]) AND c.invoice_id IS NOT NULL ORDER BY c.client_id, c.id"""


def clock() -> FixedClock:
    return FixedClock(datetime.combine(RUN_DAY, time(12), tzinfo=TZ).astimezone(UTC))


async def subscribe(url: str, client_id: uuid.UUID, product: str, cycle: str, due: date, *, currency: str = "USD",
                    status: str = "active", method: str | None = None, renew: bool = True) -> uuid.UUID:
    sub_id = uuid.uuid4()
    await sql(url, """INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status,
        payment_method, next_due_on, activated_on, renew, created_at, updated_at)
        SELECT $1, $2, p.id, p.code, $4, $5, $6, $7, $8::date, $8::date - 30, $9, now(), now()
        FROM products p WHERE p.code = $3""",
              sub_id, client_id, product, cycle, currency, status, method, due, renew)
    return sub_id


async def give_credit(url: str, client_id: uuid.UUID, amount_minor: int, currency: str = "USD") -> None:
    await sql(url, "INSERT INTO credit_entries (client_id, currency, amount_minor, reason, created_at) "
                   "VALUES ($1, $2, $3, 'test', now())", client_id, currency, amount_minor)


def comparable(invoices: list[dict[str, Any]], lines: list[dict[str, Any]], events: list[dict[str, Any]],
               credits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each client's invoices in number order with their lines, events and credit entries, without what is drawn
    anew (ids, numbers, references)."""
    out = []
    for invoice in invoices:
        own = [{k: v for k, v in line.items() if k != "invoice_id"} for line in lines
               if line["invoice_id"] == invoice["id"]]
        announced = [(e["routing_key"], e["total"], e["lines"], e["kind"]) for e in events
                     if e["invoice_id"] == str(invoice["id"])]
        used = [(c["currency"], c["amount_minor"], c["reason"]) for c in credits if c["invoice_id"] == invoice["id"]]
        out.append({**{k: v for k, v in invoice.items() if k not in ("id", "number")}, "lines": own,
                    "events": announced, "credit_entries": used})
    return out


async def issue_each(session: AsyncSession, client_id: uuid.UUID, horizon: date) -> None:
    """The reference: the client's renewal invoices (one per currency and due date, B-1) issued one at a time by
    `issue_invoice`, with the renewal lines `renewal_line` prices."""
    ids = [row.subscription_id for row in await due_rows(session, [client_id], due_conditions(horizon))]
    subs = {sub.id: sub for sub in await SubscriptionRepository(session).many(ids, for_update=True)}
    groups: dict[tuple[str, date], list[Any]] = {}
    for sub_id in ids:
        groups.setdefault((subs[sub_id].currency, subs[sub_id].next_due_on), []).append(subs[sub_id])
    for (currency, due_on), members in groups.items():
        drafts = [draft for sub in members
                  if (draft := await renewal_line(session=session, settings=SETTINGS, sub=sub, due_on=due_on))]
        if drafts:
            invoice = await issue_invoice(session=session, clock=clock(), settings=SETTINGS, client_id=client_id,
                                          currency=currency, kind=InvoiceKind.RENEWAL, due_on=due_on, lines=drafts,
                                          payment_method=members[0].payment_method, note=B16_NOTE)
            await InvoiceRepository(session).claim_periods(invoice.id, [(d.service_ids[0], due_on) for d in drafts])


async def per_client_reference(sessionmaker: async_sessionmaker[AsyncSession],
                               clients: list[uuid.UUID]) -> list[dict[str, Any]]:
    """What `issue_invoice`, invoice by invoice, issues for these clients' renewals: read, then rolled back."""
    horizon = RUN_DAY + timedelta(days=SETTINGS.renewal_lead_days)
    async with sessionmaker() as session:
        await session.begin()
        for client_id in sorted(clients):
            await issue_each(session, client_id, horizon)
        await session.flush()
        raw = await (await session.connection()).get_raw_connection()
        conn: Any = raw.driver_connection
        await session.execute(text("SELECT 1"))
        found = [[dict(r) for r in await conn.fetch(q, arg)]
                 for q, arg in ((INVOICES, clients), (LINES, clients), (EVENTS, [str(c) for c in clients]),
                                (CREDITS, clients))]
        await session.rollback()
    return comparable(*found)


async def issued(url: str, clients: list[uuid.UUID]) -> list[dict[str, Any]]:
    return comparable(await sql(url, INVOICES, clients), await sql(url, LINES, clients),
                      await sql(url, EVENTS, [str(c) for c in clients]), await sql(url, CREDITS, clients))


async def test_b1_b2_b10_b12_b13_b15_b16_set_based_run_issues_what_issue_invoice_issues(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    a, b, c, d, e, f, g, h = (uuid.uuid4() for _ in range(8))
    # a: two monthly services due the same day share an invoice (B-1), the annual one its own; 4 active → 10%
    # (B-12), zelle 10% on one line, annual 20%; the quarterly one is not due yet.
    await subscribe(billing_db, a, "vps-1", "monthly", date(2031, 3, 10), method="zelle")
    await subscribe(billing_db, a, "vps-2", "monthly", date(2031, 3, 10))
    await subscribe(billing_db, a, "hosting-basic", "annual", date(2031, 3, 12))
    await subscribe(billing_db, a, "vps-1", "quarterly", date(2031, 4, 10))
    # b (ARS): a domain set not to renew ends instead (B-15); a dedicated server has no ARS price (skipped).
    await subscribe(billing_db, b, "hosting-plus", "semiannual", date(2031, 3, 15), currency="ARS")
    domain = await subscribe(billing_db, b, "domain-com", "annual", date(2031, 3, 15), currency="ARS", renew=False)
    await subscribe(billing_db, b, "vps-1", "biennial", date(2031, 3, 15), currency="ARS")
    await subscribe(billing_db, b, "dedicated", "monthly", date(2031, 3, 15), currency="ARS")
    # c: a suspended service → no discount at all on any invoice (B-13); suspended services still renew.
    await subscribe(billing_db, c, "vps-1", "annual", date(2031, 3, 5), status="suspended")
    await subscribe(billing_db, c, "vps-2", "annual", date(2031, 3, 5))
    # d: credit pays part of the invoice (B-10); e: credit pays all of it, so it is settled at once.
    await subscribe(billing_db, d, "vps-1", "monthly", date(2031, 3, 10))
    await give_credit(billing_db, d, 1000)
    await subscribe(billing_db, e, "vps-1", "monthly", date(2031, 3, 11))
    await give_credit(billing_db, e, 5000)
    # f: the same due date in two currencies → two invoices.
    await subscribe(billing_db, f, "vps-1", "monthly", date(2031, 3, 18))
    await subscribe(billing_db, f, "vps-2", "monthly", date(2031, 3, 18), currency="ARS")
    # g: credit pays part of its first invoice and nothing of the second (B-10, invoice after invoice); h: credit
    # in another currency pays nothing.
    await subscribe(billing_db, g, "vps-1", "monthly", date(2031, 3, 9))
    await subscribe(billing_db, g, "vps-2", "monthly", date(2031, 3, 14))
    await give_credit(billing_db, g, 700)
    await subscribe(billing_db, h, "vps-1", "monthly", date(2031, 3, 9))
    await give_credit(billing_db, h, 90000, currency="ARS")
    clients = [a, b, c, d, e, f, g, h]

    expected = await per_client_reference(sessionmaker, clients)
    assert await issued(billing_db, clients) == []  # the reference was rolled back
    await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS, chunk_clients=4)
    got = await issued(billing_db, clients)
    assert got == expected

    by_client = {cid: [i for i in got if i["client_id"] == cid] for cid in clients}
    assert [(i["due_on"], len(i["lines"])) for i in by_client[a]] == [(date(2031, 3, 10), 2), (date(2031, 3, 12), 1)]
    annual = by_client[a][1]["lines"][0]
    assert annual["discount_minor"] == annual["gross_minor"] * 30 // 100  # annual 20% + 3-4 services 10%
    assert all(domain not in line["service_ids"] for i in by_client[b] for line in i["lines"])
    assert [line["cycle"] for line in by_client[b][0]["lines"]] == ["semiannual", "biennial"]
    assert all(line["discount_minor"] == 0 for line in by_client[c][0]["lines"])
    assert all('"because": "B-13"' in line["withheld"] for line in by_client[c][0]["lines"])  # and says why
    assert by_client[d][0]["credit_applied_minor"] == 1000 and by_client[d][0]["status"] == "unpaid"
    assert by_client[e][0]["status"] == "paid" and by_client[e][0]["total_minor"] == 0
    assert [(i["credit_applied_minor"], i["credit_entries"]) for i in by_client[g]] == [
        (700, [("USD", -700, "applied to invoice")]), (0, [])]
    assert by_client[h][0]["credit_applied_minor"] == 0 and by_client[h][0]["credit_entries"] == []
    assert by_client[d][0]["events"][0][1] == f'{{"currency": "USD", "amount_minor": {by_client[d][0]["total_minor"]}}}'
    assert sorted(i["currency"] for i in by_client[f]) == ["ARS", "USD"]
    assert all([ev[0] for ev in i["events"]].count("billing.invoice.issued") == 1 for i in got)
    numbers = await sql(billing_db, "SELECT number FROM invoices WHERE client_id = $1 ORDER BY due_on", a)
    assert [n["number"] for n in numbers] == sorted(n["number"] for n in numbers)

    # B-2: a second run creates nothing.
    assert await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS) == 0
    assert await issued(billing_db, clients) == got


async def test_b1_b2_concurrent_set_based_runners_issue_one_invoice_per_subscription_period_and_group(
        billing_db: str) -> None:
    clients = [uuid.uuid4() for _ in range(40)]
    subs: list[uuid.UUID] = []
    for n, client_id in enumerate(clients):
        for k in range(1 + n % 3):
            due = date(2031, 3, 6 + (n + k) % 2)
            subs.append(await subscribe(billing_db, client_id, ("vps-1", "vps-2", "chat-rooms")[k], "monthly", due))
    engines = [make_engine(billing_db, pool_size=4) for _ in range(2)]
    try:
        await asyncio.gather(*(issue_renewals(sessionmaker=make_sessionmaker(engine), clock=clock(),
                                              settings=SETTINGS, chunk_clients=3)
                               for engine in engines for _ in range(2)))
    finally:
        for engine in engines:
            await engine.dispose()
    periods = await sql(billing_db, """
        SELECT s AS subscription_id, l.period_start_on, count(*) AS n FROM invoice_lines l
        CROSS JOIN unnest(l.service_ids) AS s JOIN invoices i ON i.id = l.invoice_id
        WHERE i.client_id = ANY($1::uuid[]) GROUP BY s, l.period_start_on""", clients)
    assert sorted(p["subscription_id"] for p in periods) == sorted(subs)  # every one invoiced ...
    assert {p["n"] for p in periods} == {1}  # ... once
    groups = await sql(billing_db, """
        SELECT i.client_id, i.currency, i.due_on, count(*) AS n FROM invoices i WHERE i.client_id = ANY($1::uuid[])
        GROUP BY 1, 2, 3""", clients)
    assert {g["n"] for g in groups} == {1}  # B-1: never split between runners
    events = await sql(billing_db, "SELECT count(*) AS n FROM outbox WHERE routing_key = 'billing.invoice.issued' "
                                   "AND payload->>'client_id' = ANY($1::text[])", [str(c) for c in clients])
    assert events[0]["n"] == len(groups)


async def test_b2_a_period_claimed_meanwhile_rolls_the_chunk_back(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """The claims' primary key is the last guard of B-2: a period claimed after the chunk's plan (here: a plan told
    not to look) makes the chunk raise `DuplicatePeriod` (the run then retries its clients one by one) and write
    nothing."""
    a = uuid.uuid4()
    claimed = await subscribe(billing_db, a, "vps-1", "monthly", date(2031, 3, 10))
    await subscribe(billing_db, a, "vps-2", "monthly", date(2031, 3, 10))
    await sql(billing_db, "INSERT INTO billing_periods (subscription_id, period_start_on, invoice_id) "
                          "VALUES ($1, $2, $3)", claimed, date(2031, 3, 10), uuid.uuid4())
    with pytest.raises(DuplicatePeriod):
        async with unit_of_work(sessionmaker) as session:
            await renew_chunk(session=session, settings=SETTINGS, pricer=Pricer(policy_from(SETTINGS)),
                              clock=clock(), note=B16_NOTE, client_ids=[a], due=[Subscription.client_id == a])
    assert await sql(billing_db, "SELECT count(*) AS n FROM invoices WHERE client_id = $1", a) == [{"n": 0}]

"""Invoice lines and billing periods have no foreign keys (migration 0022, #20 item 4: their per-row checks were more
than half of the renewal run's write). What the keys guaranteed still holds: every writer of those rows (the renewal
run's statement, `issue_invoice`, `claim_periods` after a re-issue, B-9/B-11) writes them with an invoice, a product
and a subscription that exist, and invoices, subscriptions and products are never deleted (a trigger refuses it).
The run's rows also carry time-ordered ids (`queries.ID_SQL`: UUIDv7, a count from a random base per chunk), so they
land at the right edge of their indexes."""

import time
import uuid
from datetime import date

import asyncpg
import pytest
from billing_helpers import sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_b2_renewal_run import SETTINGS, clock, give_credit, subscribe

from abono.db import asyncpg_dsn, unit_of_work
from billing.invoices.repository import InvoiceRepository
from billing.renewals.jobs import issue_renewals
from billing.renewals.service import reissue_renewal

ORPHANS = """SELECT
    (SELECT count(*) FROM invoice_lines l WHERE NOT EXISTS (SELECT FROM invoices i WHERE i.id = l.invoice_id))
      AS lines_without_invoice,
    (SELECT count(*) FROM invoice_lines l WHERE l.product_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM products p WHERE p.id = l.product_id)) AS lines_without_product,
    (SELECT count(*) FROM billing_periods b WHERE NOT EXISTS (SELECT FROM invoices i WHERE i.id = b.invoice_id))
      AS periods_without_invoice,
    (SELECT count(*) FROM billing_periods b
     WHERE NOT EXISTS (SELECT FROM subscriptions s WHERE s.id = b.subscription_id)) AS periods_without_subscription,
    (SELECT count(*) FROM invoice_lines) AS lines, (SELECT count(*) FROM billing_periods) AS periods"""


async def test_b2_b9_lines_and_periods_written_by_the_run_and_a_reissue_refer_to_existing_rows(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    await subscribe(billing_db, a, "vps-1", "monthly", date(2031, 3, 10), method="zelle")
    await subscribe(billing_db, a, "vps-2", "monthly", date(2031, 3, 10))
    await subscribe(billing_db, b, "hosting-basic", "annual", date(2031, 3, 12), currency="ARS")
    await subscribe(billing_db, b, "vps-1", "monthly", date(2031, 3, 12), status="suspended", currency="ARS")
    await give_credit(billing_db, b, 500, currency="ARS")
    assert await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS, chunk_clients=1) == 2

    async with unit_of_work(sessionmaker) as session:  # B-9: a change cancels the invoice and issues a new one
        invoice_id = (await sql(billing_db, "SELECT id FROM invoices WHERE client_id = $1", a))[0]["id"]
        assert isinstance(invoice_id, uuid.UUID)
        invoice = await InvoiceRepository(session).get(invoice_id, for_update=True)
        assert invoice is not None
        assert await reissue_renewal(session=session, clock=clock(), settings=SETTINGS, invoice=invoice,
                                     reason="test") is not None

    [found] = await sql(billing_db, ORPHANS)
    assert found["lines"] == found["periods"] + 2  # the cancelled invoice keeps its 2 lines, its claims moved
    assert {k: v for k, v in found.items() if k not in ("lines", "periods")} == {
        "lines_without_invoice": 0, "lines_without_product": 0, "periods_without_invoice": 0,
        "periods_without_subscription": 0}


@pytest.mark.parametrize("table", ["invoices", "subscriptions", "products"])
async def test_invoices_subscriptions_and_products_are_never_deleted(billing_db: str, table: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(billing_db))
    try:
        before = await conn.fetchval(f"SELECT count(*) FROM {table}")
        with pytest.raises(asyncpg.RestrictViolationError, match="never deleted"):
            await conn.execute(f"DELETE FROM {table}")
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == before
    finally:
        await conn.close()


async def test_b2_the_runs_invoices_lines_and_events_have_time_ordered_ids(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """#20 item 4: random ids put each of a million rows on a random leaf of six indexes; UUIDv7 (RFC 9562) ids
    begin with the Unix milliseconds of the run."""
    a, b = uuid.uuid4(), uuid.uuid4()
    await subscribe(billing_db, a, "vps-1", "monthly", date(2031, 3, 10))
    await subscribe(billing_db, a, "vps-2", "monthly", date(2031, 3, 10))
    await subscribe(billing_db, b, "hosting-basic", "annual", date(2031, 3, 12), currency="ARS")
    started_ms = int(time.time() * 1000)
    assert await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS) == 2
    ended_ms = int(time.time() * 1000)

    rows = await sql(billing_db, """
        WITH run AS (SELECT id FROM invoices WHERE client_id = ANY($1::uuid[]))
        SELECT id FROM run UNION ALL SELECT id FROM invoice_lines WHERE invoice_id IN (SELECT id FROM run)
        UNION ALL SELECT event_id FROM outbox WHERE routing_key = 'billing.invoice.issued'
          AND CAST(payload ->> 'invoice_id' AS uuid) IN (SELECT id FROM run)""", [a, b])
    ids = [row["id"] for row in rows]
    assert len(ids) == 2 + 3 + 2
    assert {i.version for i in ids} == {7}
    assert all(started_ms - 1000 <= i.int >> 80 <= ended_ms + 1000 for i in ids)  # PostgreSQL's clock vs ours

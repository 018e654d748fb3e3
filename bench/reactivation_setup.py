"""Set-up rows for the `reactivation` scenario in billing's database, set-based (one statement per table).

For each (service, client, overdue invoice) it writes what billing's real flow leaves behind when a client's renewal
went unpaid and B-4 suspended its service: the client (USD, AR), its subscription (`suspended`, next due date = the
unpaid period's start), the renewal invoice (`unpaid`, due 3 days ago: past B-4's 2 days, before B-5's 5 business
days), its service line for the next annual period, the billing period that makes issuing idempotent (B-2) and the
recorded B-4 step. The scenario then starts each payment through billing's real API (`POST /invoices/{id}/pay`:
a Checkout Session at the fake Stripe, a payment attempt) and checks one sample through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg

PRICE_MINOR = 12_000  # USD 120.00, an annual hosting plan
PRODUCT_CODE = "hosting-basic"


async def seed_billing(
    dsn: str, triples: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]], domains: dict[uuid.UUID, str]
) -> None:
    """Write the suspended-for-an-overdue-renewal rows of every (service, client, invoice) triple."""
    now = datetime.now(UTC)
    due: date = now.date() - timedelta(days=3)
    period_end = due.replace(year=due.year + 1) if not (due.month == 2 and due.day == 29) else due + timedelta(days=365)
    sids = [s for s, _, _ in triples]
    cids = [c for _, c, _ in triples]
    iids = [i for _, _, i in triples]
    doms = [domains[s] for s in sids]
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            product = await conn.fetchval("SELECT id FROM products WHERE code = $1", PRODUCT_CODE)
            if product is None:
                raise RuntimeError(f"set-up: billing has no product {PRODUCT_CODE!r} (catalog not loaded)")
            await conn.execute(
                """INSERT INTO clients (id, email, name, country, currency, language, registered_at, updated_at)
                   SELECT c, 'bench-' || c || '@example.test', 'Bench client', 'AR', 'USD', 'es',
                          $2::timestamptz - interval '400 days', $2
                   FROM unnest($1::uuid[]) AS c""",
                cids,
                now,
            )
            await conn.execute(
                """INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status,
                                              domain, next_due_on, activated_on, renew, created_at, updated_at)
                   SELECT s, c, $3, $4, 'annual', 'USD', 'suspended', d, $5::date, $5::date - 365, true,
                          $6::timestamptz - interval '400 days', $6
                   FROM unnest($1::uuid[], $2::uuid[], $7::text[]) AS t(s, c, d)""",
                sids,
                cids,
                product,
                PRODUCT_CODE,
                due,
                now,
                doms,
            )
            await conn.execute(
                """INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at,
                                         due_on, subtotal_minor, discount_minor, credit_applied_minor, total_minor,
                                         note)
                   SELECT i, 'BENCH-' || upper(substr(replace(i::text, '-', ''), 1, 16)),
                          'R' || upper(substr(replace(i::text, '-', ''), 1, 16)), c, 'USD', 'renewal', 'unpaid',
                          $3::timestamptz - interval '18 days', $4, $5, 0, 0, $5, ''
                   FROM unnest($1::uuid[], $2::uuid[]) AS t(i, c)""",
                iids,
                cids,
                now,
                due,
                PRICE_MINOR,
            )
            await conn.execute(
                """INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, product_id,
                                              cycle, period_start_on, period_end_on, quantity, unit_price_minor,
                                              gross_minor, discount_minor, amount_minor, discounts)
                   SELECT gen_random_uuid(), i, 1, 'service', 'Hosting Básico (' || d || '), anual', ARRAY[s],
                          $4, 'annual', $5, $6, 1, $7, $7, 0, $7, '[]'::jsonb
                   FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(i, s, d)""",
                iids,
                sids,
                doms,
                product,
                due,
                period_end,
                PRICE_MINOR,
            )
            await conn.execute(
                """INSERT INTO billing_periods (subscription_id, period_start_on, invoice_id)
                   SELECT s, $3, i FROM unnest($1::uuid[], $2::uuid[]) AS t(s, i)""",
                sids,
                iids,
                due,
            )
            await conn.execute(
                """INSERT INTO dunning_steps (invoice_id, step, done_at)
                   SELECT i, 'B-4', $2 FROM unnest($1::uuid[]) AS i""",
                iids,
                now - timedelta(days=1),
            )
    finally:
        await conn.close()

"""The renewal run's statements (`batch.renew_chunk` runs them): two a chunk, whatever its size.

`plan_statement`: the chunk's due subscriptions (row-locked, `SKIP LOCKED`), joined to their product and current
price and to their client's discount facts (B-12 active services, B-13 any suspended), grouped by what prices a
line and what ends its period: (price, currency, cycle, active services, payment method, suspended, due date) with
the subscriptions' ids; and how many invoices they make (B-1: one per client, currency and due date). Python prices
each distinct group once for the run (`price_line`, pure) and draws the invoices' numbers and references.

`WRITE_SQL`: everything the chunk writes, in one statement, from those ids and the groups' prices and period ends:
PostgreSQL groups the lines into invoices (B-1: client, currency, due date; lines in the order the subscriptions were
created; invoices in (client, due date, first line) order, numbered in that order), applies the credit of the
clients whose credit lock the caller holds (B-10: invoice after invoice, as `issue_invoice` applies it), and writes
the invoices, their lines, the claims of their (subscription, period) (B-2: a claim already made violates the claims'
primary key and the chunk is rolled back: no `ON CONFLICT`, whose speculative insertion cost a WAL record and an index
probe more per claim), the credit entries and the `InvoiceIssued` outbox rows. The events' JSON is built here: the
envelope's constant part (type, version, occurred_at, kind) comes from a real `InvoiceIssued`
(`batch.envelope_head`), the rest are the invoice's and lines' columns as pydantic writes them (uuids and dates as
strings, money as `{"amount_minor", "currency"}`); `test_renewal_event_payload` holds every row equal to
`invoice_issued`'s envelope. No Python object is made per invoice or per line (issue 20 item 4). What an invoice takes
from its lines (sums, the first line's payment method, the event's lines in order) comes from one window over the
lines, sorted once, not from ordered aggregates (a sort per invoice); a line's description is its group's text joined
to the product's name (no date formatting per line).

The lines and claims have no foreign keys (migration 0022): their per-row checks were more than half of this
statement; the invoice is written here, the product read here and the subscription locked by the plan, and none of
them is ever deleted (a trigger refuses it; `test_renewal_row_references`).

The ids this statement draws (invoices, lines, events) are time-ordered (`ID_SQL`): a random uuid puts each of the
run's million rows on a random leaf of every index keyed by it (invoices' and lines' primary keys, the lines' and
claims' `invoice_id`, the outbox's `event_id`, the consumers' inbox keys), which at 1M no longer fit in the buffer
cache: pages read back, written out, and logged whole (full-page images) after every checkpoint. Time-ordered, they
go to the right edge of those indexes, as the invoice numbers already do.
"""

import re
import secrets
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Select, Uuid, and_, any_, func, literal, select, text

from billing.catalog.models import Price, Product
from billing.subscriptions.models import Subscription, SubscriptionStatus


def uuid_array(ids: Sequence[Any]) -> Any:
    """One array parameter (`= ANY(...)`), not one parameter per id as `IN` renders: cheaper to build and send."""
    return literal(list(ids), ARRAY(Uuid))


def plan_statement(client_ids: Sequence[Any], due: list[Any]) -> Select[Any]:
    """The chunk's due subscriptions (conditions `due`), locked, in groups that price and end alike (see above)."""
    clients = uuid_array(client_ids)
    rows = (
        select(Subscription.id, Subscription.client_id, Subscription.cycle, Subscription.currency,
               Subscription.payment_method, Subscription.next_due_on, Price.amount_minor,
               (Product.id.is_not(None)).label("has_product"))
        .outerjoin(Product, Product.id == Subscription.product_id)
        .outerjoin(Price, and_(Price.product_id == Subscription.product_id, Price.cycle == Subscription.cycle,
                               Price.currency == Subscription.currency))
        .where(Subscription.client_id == any_(clients), *due)
        .with_for_update(of=Subscription, skip_locked=True)
        .cte("due").prefix_with("MATERIALIZED")
    )
    facts = (
        select(Subscription.client_id,
               func.count().filter(Subscription.status == SubscriptionStatus.ACTIVE.value).label("active"),
               func.coalesce(func.bool_or(Subscription.status == SubscriptionStatus.SUSPENDED.value),
                             False).label("suspended"))
        .where(Subscription.client_id.in_(select(rows.c.client_id)))
        .group_by(Subscription.client_id)
        .cte("facts")
    )
    priced = and_(rows.c.amount_minor.is_not(None), rows.c.has_product)
    distinct_invoices = select(rows.c.client_id, rows.c.currency, rows.c.next_due_on).where(priced).distinct()
    invoices = select(func.count()).select_from(distinct_invoices.subquery()).scalar_subquery()
    return (
        select(rows.c.amount_minor, rows.c.has_product, rows.c.currency, rows.c.cycle, facts.c.active,
               rows.c.payment_method, facts.c.suspended, rows.c.next_due_on.label("due_on"),
               func.array_agg(rows.c.id).label("ids"), invoices.label("invoices"))
        .join(facts, facts.c.client_id == rows.c.client_id)
        .group_by(rows.c.amount_minor, rows.c.has_product, rows.c.currency, rows.c.cycle, facts.c.active,
                  rows.c.payment_method, facts.c.suspended, rows.c.next_due_on)
    )


# RFC 9562's UUIDv7 layout (PostgreSQL 15 has no `uuidv7()`), "method 1" (a counter in the random bits): the chunk's
# ids are `uuid7_base()` (48 bits of Unix milliseconds, the version, 12 random bits | the variant, 61 random bits)
# plus a count `k` (`ID_SQL`), distinct for every row the statement writes. `gen_random_uuid()` twice a row cost
# ~5 us of PostgreSQL's CPU per id (2.7M ids for 1M subscriptions, ~10 s); the counter ~0.5 us.
# `new_id(k)` in `WRITE_SQL` stands for it (invoices 3n, their events 3n + 1, lines 3 rank + 2).
ID_SQL = "CAST(encode(int8send(CAST(:id_hi AS bigint)) || int8send(CAST(:id_lo AS bigint) + ({k})), 'hex') AS uuid)"


def uuid7_base() -> tuple[int, int]:
    """A chunk's id base (`ID_SQL`): the high and low 64 bits as signed bigints; the low half leaves room for a count
    below 2^61 without touching the variant bits."""
    high = (time.time_ns() // 1_000_000) << 16 | 0x7000 | secrets.randbits(12)
    low = (0b10 << 62 | secrets.randbits(61)) - (1 << 64)
    return high, low


WRITE_SQL = text(re.sub(r"new_id\(([^()]*)\)", lambda k: ID_SQL.replace("{k}", k.group(1)), """
WITH priced AS (
  SELECT * FROM unnest(CAST(:p_quantity AS int[]), CAST(:p_unit AS bigint[]), CAST(:p_gross AS bigint[]),
                       CAST(:p_discount AS bigint[]), CAST(:p_amount AS bigint[]), CAST(:p_discounts AS text[]),
                       CAST(:p_withheld AS text[]))
    WITH ORDINALITY AS p(quantity, unit_price_minor, gross_minor, discount_minor, amount_minor, discounts, withheld,
                         k)
), grp AS (
  SELECT * FROM unnest(CAST(:g_priced AS bigint[]), CAST(:g_end AS date[]), CAST(:g_period AS text[]))
    WITH ORDINALITY AS g(k, period_end_on, period_text, g)
), line_plan AS MATERIALIZED (
  SELECT s.id AS subscription_id, s.client_id, s.currency, s.next_due_on AS due_on, s.cycle, s.product_id,
         s.payment_method, g.period_end_on, CAST(:description AS text) || pd.name || g.period_text AS description,
         p.quantity, p.unit_price_minor, p.gross_minor,
         p.discount_minor, p.amount_minor, p.discounts, p.withheld,
         row_number() OVER (ORDER BY s.client_id, s.next_due_on, s.created_at, s.id) AS rank
  FROM unnest(CAST(:l_subscription AS uuid[]), CAST(:l_group AS bigint[])) AS l(id, g)
  JOIN subscriptions s ON s.id = l.id
  JOIN grp g USING (g)
  JOIN priced p USING (k)
  JOIN products pd ON pd.id = s.product_id
), line_row AS MATERIALIZED (
  SELECT l.*, row_number() OVER (invoice ORDER BY l.rank) AS position,
         sum(l.gross_minor) OVER invoice AS invoice_gross, sum(l.discount_minor) OVER invoice AS invoice_discount,
         jsonb_agg(jsonb_build_object('description', l.description,
                                      'amount', jsonb_build_object('amount_minor', l.amount_minor,
                                                                   'currency', l.currency),
                                      'service_id', l.subscription_id, 'product_kind', NULL, 'cycle', l.cycle))
           OVER (invoice ORDER BY l.rank ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS event_lines
  FROM line_plan l WINDOW invoice AS (PARTITION BY l.client_id, l.currency, l.due_on)
), invoice_plan AS MATERIALIZED (
  SELECT client_id, currency, due_on, payment_method, CAST(invoice_gross AS bigint) AS subtotal_minor,
         CAST(invoice_discount AS bigint) AS discount_minor, event_lines, row_number() OVER (ORDER BY rank) AS n
  FROM line_row WHERE position = 1
), balance AS (
  SELECT client_id, currency, CAST(sum(amount_minor) AS bigint) AS available FROM credit_entries
  WHERE client_id = ANY(CAST(:credit_clients AS uuid[]))
  GROUP BY client_id, currency HAVING sum(amount_minor) > 0
), invoice_row AS MATERIALIZED (
  SELECT i.client_id, i.currency, i.due_on, i.payment_method, i.subtotal_minor, i.discount_minor, i.n, i.event_lines,
         t.number, t.payment_reference, new_id(3 * i.n) AS id, new_id(3 * i.n + 1) AS event_id,
         least(i.subtotal_minor - i.discount_minor,
               greatest(0, coalesce(b.available, 0) - coalesce(CAST(sum(i.subtotal_minor - i.discount_minor) OVER (
                 PARTITION BY i.client_id, i.currency ORDER BY i.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               AS bigint), 0))) AS credit_minor
  FROM invoice_plan i
  JOIN unnest(CAST(:number AS text[]), CAST(:reference AS text[])) WITH ORDINALITY AS t(number, payment_reference, n)
    USING (n)
  LEFT JOIN balance b USING (client_id, currency)
), invoice AS (
  INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                        subtotal_minor, discount_minor, credit_applied_minor, total_minor, payment_method, note)
  SELECT r.id, r.number, r.payment_reference, r.client_id, r.currency, CAST(:kind AS text), CAST(:status AS text),
         CAST(:now AS timestamptz), r.due_on, r.subtotal_minor, r.discount_minor, r.credit_minor,
         r.subtotal_minor - r.discount_minor - r.credit_minor, r.payment_method, CAST(:note AS text)
  FROM invoice_row r ORDER BY r.n
), line AS (
  INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, product_id, cycle,
                             period_start_on, period_end_on, quantity, unit_price_minor, gross_minor,
                             discount_minor, amount_minor, discounts, withheld)
  SELECT new_id(3 * l.rank + 2), r.id, l.position, 'service', l.description, ARRAY[l.subscription_id], l.product_id,
         l.cycle, l.due_on, l.period_end_on, l.quantity, l.unit_price_minor, l.gross_minor, l.discount_minor,
         l.amount_minor, CAST(l.discounts AS jsonb), CAST(l.withheld AS jsonb)
  FROM line_row l JOIN invoice_row r USING (client_id, currency, due_on)
), claim AS (
  INSERT INTO billing_periods (subscription_id, period_start_on, invoice_id)
  SELECT l.subscription_id, l.due_on, r.id FROM line_row l JOIN invoice_row r USING (client_id, currency, due_on)
), credit AS (
  INSERT INTO credit_entries (client_id, currency, amount_minor, reason, invoice_id, created_at)
  SELECT r.client_id, r.currency, -r.credit_minor, CAST(:credit_reason AS text), r.id, CAST(:now AS timestamptz)
  FROM invoice_row r WHERE r.credit_minor > 0 ORDER BY r.n
), event AS (
  INSERT INTO outbox (event_id, routing_key, payload, lane)
  SELECT r.event_id, CAST(:routing_key AS text),
         CAST(:head AS jsonb) || jsonb_build_object(
           'event_id', r.event_id, 'invoice_id', r.id, 'client_id', r.client_id, 'number', r.number,
           'payment_reference', r.payment_reference,
           'total', jsonb_build_object('amount_minor', r.subtotal_minor - r.discount_minor - r.credit_minor,
                                       'currency', r.currency),
           'due_on', r.due_on, 'lines', r.event_lines),
         CAST(:lane AS smallint)
  FROM invoice_row r ORDER BY r.n
)
SELECT (SELECT count(*) FROM line_plan) AS lines,
       (SELECT count(*) FROM invoice_row) AS invoices,
       (SELECT array_agg(id ORDER BY n) FROM invoice_row
        WHERE subtotal_minor - discount_minor - credit_minor = 0) AS settled_at_issue
"""))

"""The renewal run's statements (`batch.write_invoices` runs them).

`WRITE_SQL`: everything a chunk writes, in one statement: the invoices, their lines, the claims of their
(subscription, period) (B-2: `ON CONFLICT DO NOTHING`, counted), the credit they use (B-10) and their
`InvoiceIssued` outbox rows, from the chunk's plan sent as arrays (one element per invoice, per line, per event, and
per distinct priced line). The events are built in Python by `invoice_issued`, as every other issue builds them, and
arrive here as their envelopes' JSON (`Event.envelope_json`); the caller wakes the relay (`emit_written`).

Half of this statement's time is the four foreign-key checks per line (lines → invoices, products; periods →
invoices, subscriptions): kept on purpose, see bench/README's renewal_run section (#20).
"""

from sqlalchemy import text

WRITE_SQL = text("""
WITH priced AS (
  SELECT * FROM unnest(CAST(:p_quantity AS int[]), CAST(:p_unit AS bigint[]), CAST(:p_gross AS bigint[]),
                       CAST(:p_discount AS bigint[]), CAST(:p_amount AS bigint[]), CAST(:p_discounts AS text[]),
                       CAST(:p_withheld AS text[]))
    WITH ORDINALITY AS p(quantity, unit_price_minor, gross_minor, discount_minor, amount_minor, discounts, withheld,
                         k)
), planned_line AS (
  SELECT l.*, p.quantity, p.unit_price_minor, p.gross_minor, p.discount_minor, p.amount_minor, p.discounts,
         p.withheld
  FROM unnest(CAST(:l_number AS text[]), CAST(:l_position AS int[]), CAST(:l_subscription AS uuid[]),
              CAST(:l_product AS uuid[]), CAST(:l_cycle AS text[]), CAST(:l_end AS date[]),
              CAST(:l_description AS text[]), CAST(:l_priced AS bigint[]))
    AS l(number, position, subscription_id, product_id, cycle, period_end_on, description, k)
  JOIN priced p USING (k)
), invoice AS (
  INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                        subtotal_minor, discount_minor, credit_applied_minor, total_minor, payment_method, note)
  SELECT t.id, t.number, t.payment_reference, t.client_id, t.currency, CAST(:kind AS text),
         CAST(:status AS text), CAST(:now AS timestamptz), t.due_on, t.subtotal_minor, t.discount_minor,
         t.credit_minor, t.subtotal_minor - t.discount_minor - t.credit_minor, t.payment_method, CAST(:note AS text)
  FROM unnest(CAST(:id AS uuid[]), CAST(:number AS text[]), CAST(:reference AS text[]), CAST(:client AS uuid[]),
              CAST(:currency AS text[]), CAST(:due_on AS date[]), CAST(:method AS text[]),
              CAST(:subtotal AS bigint[]), CAST(:discount AS bigint[]), CAST(:credit AS bigint[]))
    AS t(id, number, payment_reference, client_id, currency, due_on, payment_method, subtotal_minor, discount_minor,
         credit_minor)
  RETURNING id, number, payment_reference, client_id, currency, due_on, credit_applied_minor, total_minor
), line AS (
  INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, product_id, cycle,
                             period_start_on, period_end_on, quantity, unit_price_minor, gross_minor,
                             discount_minor, amount_minor, discounts, withheld)
  SELECT gen_random_uuid(), i.id, l.position, 'service', l.description, ARRAY[l.subscription_id], l.product_id,
         l.cycle, i.due_on, l.period_end_on, l.quantity, l.unit_price_minor, l.gross_minor, l.discount_minor,
         l.amount_minor, CAST(l.discounts AS jsonb), CAST(l.withheld AS jsonb)
  FROM planned_line l JOIN invoice i USING (number)
), claim AS (
  INSERT INTO billing_periods (subscription_id, period_start_on, invoice_id)
  SELECT l.subscription_id, i.due_on, i.id FROM planned_line l JOIN invoice i USING (number)
  ON CONFLICT DO NOTHING RETURNING 1
), credit AS (
  INSERT INTO credit_entries (client_id, currency, amount_minor, reason, invoice_id, created_at)
  SELECT i.client_id, i.currency, -i.credit_applied_minor, CAST(:credit_reason AS text), i.id,
         CAST(:now AS timestamptz)
  FROM invoice i WHERE i.credit_applied_minor > 0
), event AS (
  INSERT INTO outbox (event_id, routing_key, payload, lane)
  SELECT e.event_id, CAST(:routing_key AS text), CAST(e.payload AS jsonb), CAST(:lane AS smallint)
  FROM unnest(CAST(:event_id AS uuid[]), CAST(:payload AS text[])) AS e(event_id, payload)
)
SELECT (SELECT count(*) FROM claim) AS claimed, (SELECT count(*) FROM planned_line) AS lines
""")

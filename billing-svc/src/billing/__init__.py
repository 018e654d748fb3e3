"""billing-svc: catalog, prices, orders, subscriptions, invoices, payments, credit, discounts, and the renewal and
dunning scheduler (DOMAIN.md C-1..C-4, B-1..B-13, B-15, B-16, B-18, B-19).

Owns: database `abono_billing`: clients (copy), products, prices, coupons, subscriptions (id = service id),
invoices, invoice_lines (with each discount), billing_periods (one invoice per subscription and period),
dunning_steps (each reminder/decision once), payments (unique payment key), credit_entries, audit_log;
outbox and inbox. Seed catalog: `python -m billing.seed` (idempotent).
Publishes: billing.invoice.issued, billing.invoice.paid, billing.invoice.cancelled, billing.invoice.reminder,
billing.service.ordered, billing.service.suspension_decided, billing.service.termination_decided.
Consumes: gateway.client.registered, gateway.client.updated (its copy of the client: currency, country, language).
HTTP (JWT): clients: /clients/me, /catalog/products[/{code}], /orders/preview, /orders, /services[/{id}],
/invoices[/{id}[/pdf]], /credit; staff: /staff/catalog/products[...] (CRUD, prices), /staff/coupons,
/staff/invoices (search, detail, confirm-transfer, waive, refund); plus /healthz, /readyz, /metrics, /whoami.
Scheduler: renewals then dunning every BILLING_SCHEDULER_INTERVAL_SECONDS and whenever the test clock moves.
"""

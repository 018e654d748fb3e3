"""billing-svc: catalog, prices, orders, subscriptions, invoices, payments, credit, discounts, a client's service
changes (cycle, upgrade, cancellation) and the renewal and dunning scheduler (DOMAIN.md C-1..C-4, B-1..B-16, B-18,
B-19).

Owns: database `abono_billing`: clients (copy), products, prices, coupons, subscriptions (id = service id, with
the B-15 renew switch and end date), invoices, invoice_lines (with each discount), billing_periods (one invoice per
subscription and period), dunning_steps (each reminder/decision once), payments (unique payment key),
credit_entries, audit_log, upgrades (B-14: at most one waiting for payment per service); outbox and inbox.
Seed catalog: `python -m billing.seed` (idempotent).
Publishes: billing.invoice.issued, billing.invoice.paid (with upgrade_ids), billing.invoice.cancelled,
billing.invoice.reminder, billing.service.ordered, billing.upgrade.requested, billing.service.suspension_decided,
billing.service.termination_decided (rule B-6; B-15: refund, client cancellation, end of a cancelled or
non-renewing service).
Consumes: gateway.client.registered, gateway.client.updated (its copy of the client: currency, country, language).
HTTP (JWT): clients: /clients/me, /catalog/products[/{code}], /orders/preview, /orders, /services[/{id}],
PATCH /services/{id} (renew switch, B-15), POST /services/{id}/cycle (B-11), /services/{id}/upgrade/preview and
/services/{id}/upgrade (B-14), /services/{id}/cancel (B-15), /invoices[/{id}[/pdf]], /credit;
staff: /staff/catalog/products[...] (CRUD, prices), /staff/coupons, /staff/invoices (search, detail,
confirm-transfer, waive, refund); plus /healthz, /readyz, /metrics, /whoami.
Scheduler: service endings (B-15), renewals, dunning, expiry of unpaid upgrades (B-14), every
BILLING_SCHEDULER_INTERVAL_SECONDS and whenever the test clock moves.
"""

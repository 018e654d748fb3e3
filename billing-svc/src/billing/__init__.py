"""billing-svc: catalog, prices, orders, subscriptions, invoices, payments, credit, discounts, a client's service
changes (cycle, upgrade, cancellation) and the renewal and dunning scheduler (DOMAIN.md C-1..C-4, B-1..B-16, B-18,
B-19).

Owns: database `abono_billing`: clients (copy), products, prices, coupons, subscriptions (id = service id, with
the B-15 renew switch and end date), invoices, invoice_lines (with each discount), billing_periods (one invoice per
subscription and period), dunning_steps (each reminder/decision once), payments (unique payment key),
credit_entries, audit_log, upgrades (B-14: at most one waiting for payment per service), referral_rewards (one per
referred friend), two_for_one_orders and two_for_one_pairs (one per pair); outbox and inbox.
Seed catalog: `python -m billing.seed` (idempotent).
Publishes: billing.invoice.issued, billing.invoice.paid (with upgrade_ids), billing.invoice.cancelled,
billing.invoice.reminder, billing.service.ordered, billing.upgrade.requested, billing.service.suspension_decided,
billing.service.termination_decided (rule B-6; B-15: refund, client cancellation, end of a cancelled or
non-renewing service).
Consumes: gateway.client.registered, gateway.client.updated (its copy of the client: currency, country, language;
from registration also the referral code the client signed up with, and so its referrer);
provisioning.service.transferred (P-6: the subscription is invoiced to its new owner).
HTTP (JWT): clients: /clients/me, /catalog/products[/{code}], /orders/preview, /orders, /services[/{id}],
PATCH /services/{id} (renew switch, B-15), POST /services/{id}/cycle (B-11), /services/{id}/upgrade/preview and
/services/{id}/upgrade (B-14), /services/{id}/cancel (B-15), /invoices[/{id}[/pdf]], /credit, /referrals/me;
staff: /staff/catalog/products[...] and /staff/coupons[/{code}[/retire]] (read by staff, changed by admins,
audited: /staff/catalog/history), /staff/invoices (search, detail,
confirm-transfer, waive, refund); plus /healthz, /readyz, /metrics, /whoami.
Referral free month (B-12, F-4; billing.promos.referral): each client's referral code is the first 12 hex digits
of its id (GET /clients/me); a referred friend's first paid invoice (apply_payment) earns the referrer
BILLING_REFERRAL_FREE_MONTHS of the friend's first service as credit (its monthly price in the referrer's
currency, else its cycle price prorated exactly), once per friend, audited; earned even while suspended (B-13).
2x1 (B-12; billing.promos.two_for_one): an order may name a `partner` (id or e-mail); two new clients ordering
the same product and cycle naming each other within BILLING_TWO_FOR_ONE_WINDOW_DAYS: the later order's matching
unit gets a 100% "2x1" line (shown in the preview), once per pair; renewals are paid by both.
Settings: REFERRAL_ENABLED, REFERRAL_FREE_MONTHS, TWO_FOR_ONE_ENABLED, TWO_FOR_ONE_WINDOW_DAYS.
Scheduler: service endings (B-15), renewals, dunning, expiry of unpaid upgrades (B-14), every
BILLING_SCHEDULER_INTERVAL_SECONDS and whenever the test clock moves.
Payments (issue #4; B-12, B-15, B-17, B-19, B-20; all in billing.payments): Stripe, MercadoPago and reported
transfers behind `billing.payments.provider.PaymentProvider`. Client: GET /invoices/{id}/payment-methods,
POST /invoices/{id}/pay {method} (a Checkout Session / preference, the idempotency key committed before the
call; transfer: instructions), POST /invoices/{id}/transfer-report; staff: GET /staff/transfer-reports.
Webhooks: POST /webhooks/stripe and /webhooks/mercadopago (400 missing signature headers, 401 bad signature or
timestamp out of tolerance, nothing stored; else stored once in provider_events and processed after the
response, or by the sweep). A worker loop
sweeps unprocessed events, reconciles open payment attempts with the providers and sends requested refunds.
Publishes also billing.payment.charged_back (B-17, with billing.service.termination_decided rule "B-17").
Settings (env BILLING_*): STRIPE_API_KEY (empty: Stripe off), STRIPE_API_URL, STRIPE_WEBHOOK_SECRETS (JSON list, all
accepted: rotation), MERCADOPAGO_ACCESS_TOKEN (empty: off), MERCADOPAGO_API_URL, MERCADOPAGO_WEBHOOK_SECRET,
WEBHOOK_TOLERANCE_SECONDS (both ways, wall clock), PAYMENTS_PUBLIC_URL (return URLs), PAYMENT_METHODS_BY_COUNTRY,
PAYMENT_METHOD_REFUSED_CURRENCIES, PAYMENT_MIN_AMOUNT_MINOR (per method and currency), PAYMENT_METHODS_IMPLEMENTED,
PAYMENTS_WORKER_ENABLED, WEBHOOK_RETRY_SECONDS, WEBHOOK_DRAIN_SECONDS (at a stop), RECONCILIATION_INTERVAL_SECONDS,
RECONCILIATION_MAX_AGE_DAYS.
"""

"""billing-svc: catalog, prices, orders, subscriptions, invoices, payments, credit, discounts, and the renewal and
dunning scheduler (DOMAIN.md C-*, B-*).

Owns: database `abono_billing` (clients copy, outbox, inbox; billing tables as they land).
Publishes: billing.invoice.issued, billing.invoice.paid, billing.invoice.cancelled, billing.upgrade.requested.
Consumes: gateway.client.registered, gateway.client.updated (its copy of the client: currency, country, language).
HTTP: /clients/me (JWT), plus /healthz, /readyz, /metrics, /whoami.
"""

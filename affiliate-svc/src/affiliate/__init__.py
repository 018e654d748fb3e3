"""affiliate-svc: affiliates, referral visits, attributions, commissions and withdrawals (DOMAIN.md F-1..F-4).

Owns: database `abono_affiliate`: affiliates, visits, attributions, its copy of clients (e-mail key, currency,
verified identity), paid invoices of referred clients, refunds and chargebacks received, the commission ledger
(append-only), withdrawals (bank details encrypted); outbox, inbox.
Publishes: `affiliate.referral.attributed` (billing records the referrer, B-12/F-4),
`affiliate.withdrawal.credited` (billing adds the credit, F-3).
Consumes: `gateway.client.registered` / `updated` / `identity_verified`, `billing.invoice.paid`,
`billing.invoice.refunded`, `billing.payment.charged_back`.
HTTP: `/r/{code}` (public referral link), `/affiliates/me...` (the client's affiliate account, ledger,
statements, withdrawals), `/staff/...` (affiliates, attributions, withdrawals); /healthz, /readyz, /metrics, /whoami.
"""

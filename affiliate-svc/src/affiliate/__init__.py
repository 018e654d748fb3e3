"""affiliate-svc: affiliates, referral visits, attributions, commissions and withdrawals (DOMAIN.md F-*).

Owns: database `abono_affiliate` (outbox, inbox; affiliate tables as they land).
Publishes: nothing yet.
Consumes: nothing yet.
HTTP: /healthz, /readyz, /metrics, /whoami.
"""

"""support-svc: tickets, SLA clocks, status page, knowledge base, ideas and quotes (DOMAIN.md S-*).

Owns: database `abono_support` (outbox, inbox; support tables as they land).
Publishes: nothing yet.
Consumes: nothing yet.
HTTP: /healthz, /readyz, /metrics, /whoami.
"""

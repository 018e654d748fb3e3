"""notify-svc: message templates, e-mail and WhatsApp delivery, tracking and preferences (DOMAIN.md N-*).

Owns: database `abono_notify` (outbox, inbox; notification tables as they land).
Publishes: nothing yet.
Consumes: nothing yet (the N-2 events arrive with the notifications issue).
HTTP: /healthz, /readyz, /metrics, /whoami.
"""

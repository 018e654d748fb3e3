"""notify-svc: message templates, e-mail and WhatsApp delivery, tracking and preferences (DOMAIN.md N-1..N-3).

Owns: database `abono_notify`: `contacts` (its copy of each client's e-mail, name, phone, language, from the
gateway's events), `client_services` (service names, from billing's orders), `preferences` (language, WhatsApp and
marketing opt-outs), `messages` (one per event and channel, unique; the sender's durable queue and the proof of
delivery), `message_links` (rewritten links and their clicks), `message_status_reports` (WhatsApp's statuses),
plus the outbox and inbox.
Publishes: nothing.
Consumes: queue `notify.contacts`: gateway.client.registered, gateway.client.updated, billing.service.ordered;
queue `notify.notifications`: gateway.client.registered (welcome), gateway.client.verification_requested (the
verification link, e-mail only), gateway.client.updated, gateway.client.password_changed, billing.invoice.issued,
billing.invoice.reminder, billing.invoice.paid, billing.invoice.cancelled, billing.payment.automatic_failed (B-21),
provisioning.service.suspended,
provisioning.service.reactivated, provisioning.service.terminated, provisioning.domain.expiring,
provisioning.domain.deleted,
support.quote.available.
HTTP (through the gateway at /api/notify/...):
- client: GET /inbox, GET /inbox/{id}, POST /inbox/{id}/read; GET and PATCH /preferences/me;
- staff: GET /staff/clients/{client_id}/messages (delivery, opens, clicks, WhatsApp statuses),
  GET /staff/messages?status=failed, POST /staff/messages/{id}/retry;
- public: GET /t/o/{token}.gif (open pixel), GET /t/c/{token} (tracked link → 302),
  GET and POST /whatsapp/webhook (Meta's handshake; statuses signed with X-Hub-Signature-256);
- /healthz, /readyz, /metrics, /whoami.
Workers: the sender (claims due messages with FOR UPDATE SKIP LOCKED, sends by SMTP or the WhatsApp Cloud API,
retries with exponential back-off, then marks them failed).
"""

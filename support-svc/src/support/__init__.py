"""support-svc: tickets with SLA clocks, quotes and remote-support appointments (DOMAIN.md S-1..S-3, S-6, S-7).

Owns: database `abono_support` (tickets, messages, attachments, SLA flags, canned replies, calendar overrides,
quotes, appointments; copies of clients and their services).
Publishes: support.ticket.replied, support.ticket.sla_flagged, support.quote.available, support.quote.accepted,
support.appointment.reminder.
Consumes: gateway.client.registered/updated, billing.service.ordered, provisioning.service.* (the client's plan),
notify.whatsapp.message_received.
HTTP: /tickets, /canned-replies, /calendar/overrides, /support-plan, /quotes, /appointments, plus /healthz, /readyz,
/metrics, /whoami.
"""

"""support-svc: tickets with SLA clocks, quotes, remote-support appointments, the status page with its SLA credits,
the knowledge base, the ideas board and the help bot (DOMAIN.md S-1..S-8).

Owns: database `abono_support` (tickets, messages, attachments, SLA flags, canned replies, calendar overrides,
quotes, appointments; servers, incidents, maintenance, SLA credits; knowledge-base articles; ideas
and votes; help-bot conversations; copies of clients and their services).
Publishes: support.ticket.replied, support.ticket.sla_flagged, support.quote.available, support.quote.accepted,
support.appointment.reminder, support.incident.client_affected, support.sla_credit.decided,
support.idea.voter_told.
Consumes: gateway.client.registered/updated, billing.service.ordered, provisioning.service.* (the client's plan; the
server a service sits on), notify.whatsapp.message_received.
HTTP: /tickets, /canned-replies, /calendar/overrides, /support-plan, /quotes, /appointments, /status, /kb, /ideas, /bot,
plus /healthz, /readyz, /metrics, /whoami.
"""

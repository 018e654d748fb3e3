"""Support's business counters on `/metrics` (`abono_support_*`): committed facts only (see `abono.metrics`)."""

from abono.metrics import FactCounter

TICKETS_OPENED = FactCounter("support", "tickets_opened_total", "S-1 tickets opened, by channel, SLA class and plan",
                             ("channel", "sla_class", "plan"))
MESSAGES = FactCounter("support", "ticket_messages_total", "Ticket messages written, by author and channel",
                       ("author", "channel"))
SLA_FLAGS = FactCounter("support", "sla_flags_total",
                        "S-3 deadlines flagged (warning 15 minutes before, breach at the deadline), once each",
                        ("deadline", "stage", "sla_class"))
QUOTES = FactCounter("support", "quotes_total", "S-6 quotes sent and accepted", ("outcome",))
APPOINTMENTS = FactCounter("support", "appointments_total", "S-7 appointments booked, rescheduled, cancelled",
                           ("action",))
INCIDENTS = FactCounter("support", "incidents_total", "S-4 incidents opened and resolved, by source (staff, probe)",
                        ("source", "stage"))
SLA_CREDITS = FactCounter("support", "sla_credits_total", "S-4 monthly SLA credits decided, by tier",
                          ("credit_percent",))

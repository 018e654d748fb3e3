"""Every table of support-svc, imported once so the metadata is complete (migrations, tests)."""

from support.appointments.models import Appointment
from support.clients.models import ClientCopy, ClientService
from support.quotes.models import Quote, QuoteLine
from support.tickets.models import Attachment, AuditEntry, CalendarOverride, CannedReply, SlaFlag, Ticket, TicketMessage

__all__ = ["Appointment", "Attachment", "AuditEntry", "CalendarOverride", "CannedReply", "ClientCopy", "ClientService",
           "Quote", "QuoteLine", "SlaFlag", "Ticket", "TicketMessage"]

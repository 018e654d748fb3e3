"""Every table of support-svc, imported once so the metadata is complete (migrations, tests)."""

from support.appointments.models import Appointment
from support.bot.models import BotConversation, BotTurn
from support.clients.models import ClientCopy, ClientService
from support.ideas.models import Idea, IdeaVote
from support.kb.models import KbArticle, KbCategory, KbUnansweredSearch
from support.quotes.models import Quote, QuoteLine
from support.status.models import Incident, IncidentUpdate, Maintenance, Server, SlaCredit, SlaMonth
from support.tickets.models import Attachment, AuditEntry, CalendarOverride, CannedReply, SlaFlag, Ticket, TicketMessage

__all__ = ["Appointment", "Attachment", "AuditEntry", "BotConversation", "BotTurn", "CalendarOverride", "CannedReply",
           "ClientCopy", "ClientService", "Idea", "IdeaVote", "Incident", "IncidentUpdate", "KbArticle", "KbCategory",
           "KbUnansweredSearch", "Maintenance", "Quote", "QuoteLine", "Server", "SlaCredit", "SlaFlag", "SlaMonth",
           "Ticket", "TicketMessage"]

"""Every table of notify, imported once so the metadata is complete (Alembic, tests)."""

from notify.contacts.models import ClientService, Contact, ParkedEvent
from notify.messages.models import Message, MessageLink, StatusReport
from notify.preferences.models import Preference
from notify.staff.models import StaffMember
from notify.template_overrides.models import AuditEntry, TemplateOverride

__all__ = [
    "AuditEntry",
    "ClientService",
    "Contact",
    "Message",
    "MessageLink",
    "ParkedEvent",
    "Preference",
    "StaffMember",
    "StatusReport",
    "TemplateOverride",
]

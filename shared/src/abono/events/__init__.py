"""Events: the base class, the registry and the catalog."""

from abono.events.base import Event, UnknownEvent, event_class, parse_event, registered_events
from abono.events.catalog import (
    ClientProfile,
    ClientRegistered,
    ClientUpdated,
    EmailVerificationRequested,
    EmailVerified,
    InvoiceCancelled,
    InvoiceIssued,
    InvoiceLineInfo,
    InvoicePaid,
    PasswordChanged,
    ServiceReactivated,
    ServiceSuspended,
    ServiceTerminated,
    UpgradeRequested,
)

__all__ = [
    "ClientProfile",
    "ClientRegistered",
    "ClientUpdated",
    "EmailVerificationRequested",
    "EmailVerified",
    "Event",
    "InvoiceCancelled",
    "InvoiceIssued",
    "InvoiceLineInfo",
    "InvoicePaid",
    "PasswordChanged",
    "ServiceReactivated",
    "ServiceSuspended",
    "ServiceTerminated",
    "UnknownEvent",
    "UpgradeRequested",
    "event_class",
    "parse_event",
    "registered_events",
]

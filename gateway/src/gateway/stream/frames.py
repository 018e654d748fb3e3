"""Which events the panel's stream carries, to whom, and how a frame looks (pure functions)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from abono.events import (
    AffiliateCreditWithdrawn,
    AppointmentReminder,
    ClientClosed,
    ClientUpdated,
    ClientVerified,
    DomainDeleted,
    EmailVerified,
    Event,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoiceRefunded,
    InvoiceReminder,
    QuoteAccepted,
    QuoteAvailable,
    ServiceActivated,
    ServiceOrdered,
    ServiceReactivated,
    ServiceSuspended,
    ServiceTerminated,
    ServiceTransferred,
    TicketReplied,
    UpgradeApplied,
)

# Client-facing events. Never the ones carrying a secret (verification and password-reset links' tokens).
STREAMED: dict[str, type[Event]] = {
    cls.routing_key: cls
    for cls in (
        InvoiceIssued,
        InvoicePaid,
        InvoiceCancelled,
        InvoiceReminder,
        InvoiceRefunded,
        ServiceOrdered,
        ServiceActivated,
        ServiceReactivated,
        ServiceSuspended,
        ServiceTerminated,
        ServiceTransferred,
        UpgradeApplied,
        DomainDeleted,
        QuoteAvailable,
        QuoteAccepted,
        TicketReplied,
        AppointmentReminder,
        AffiliateCreditWithdrawn,
        EmailVerified,
        ClientVerified,
        ClientUpdated,
        ClientClosed,
    )
}
# Besides every `*_id` / `*_ids`, the figures a page may show at once; nothing else (profiles, driver settings...).
SHOWN = frozenset({
    "number", "total", "amount", "due_on", "paid_at", "method", "reason", "rule", "kind", "cycle", "domain",
    "days_before", "client_has_overdue", "changed", "title", "valid_until", "product_name", "status", "code",
    "subject", "starts_at", "ends_at", "lead", "topic",
})
# Ids of other people (an affiliate, a staff member) are never shown, whatever their suffix.
HIDDEN = frozenset({"affiliate_client_id", "staff_id", "assigned_to"})
PING = b": ping\n\n"
# A page's EventSource-like reader reconnects after this long; the first comment flushes the headers at once.
OPENING = b"retry: 3000\n: connected\n\n"
# Ends the stream: the stream's own sentinel, never a frame.
END = b""


def recipients(body: dict[str, Any]) -> list[uuid.UUID]:
    """The clients an event is about: its `client_id`, or both sides of a transfer (P-6)."""
    ids = [body.get("client_id"), body.get("from_client_id"), body.get("to_client_id")]
    out: list[uuid.UUID] = []
    for raw in ids:
        if raw is None:
            continue
        try:
            client = uuid.UUID(str(raw))
        except ValueError:
            continue
        if client not in out:
            out.append(client)
    return out


def frame(routing_key: str, body: dict[str, Any], client_id: uuid.UUID) -> bytes | None:
    """The SSE frame of one event for one of its clients; None for an event the stream does not carry."""
    event_type = STREAMED.get(routing_key)
    if event_type is None:
        return None
    data: dict[str, Any] = {
        "type": event_type.__name__,
        "routing_key": routing_key,
        "event_id": body.get("event_id"),
        "occurred_at": body.get("occurred_at"),
    }
    for key, value in body.items():
        if (key.endswith(("_id", "_ids")) or key in SHOWN) and key not in HIDDEN:
            data[key] = value
    data["client_id"] = str(client_id)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event_type.__name__}\ndata: {text}\n\n".encode()

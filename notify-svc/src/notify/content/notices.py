"""N-2: which events notify, as what kind of message, on which channels, with which figures.

A `Notice` is what an event means to the client; the templates (`templates/<language>/<kind>.*`) word it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from abono.events import (
    AppointmentReminder,
    AutomaticPaymentFailed,
    ClientProfile,
    ClientRegistered,
    ClientUpdated,
    DomainDeleted,
    DomainExpiring,
    EmailVerificationRequested,
    Event,
    IdeaVoterTold,
    IncidentClientAffected,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    InvoiceReminder,
    PasswordChanged,
    PasswordResetRequested,
    QuoteAvailable,
    ServiceActivated,
    ServiceReactivated,
    ServiceSuspended,
    ServiceTerminated,
    SignupForExistingAccount,
    SiteMigrated,
    SlaCreditDecided,
    TicketReplied,
    TicketSlaFlagged,
)
from notify.messages.models import Channel

ALL_CHANNELS = frozenset(Channel)


@dataclass(frozen=True)
class Notice:
    kind: str
    client_id: uuid.UUID
    event: Event
    # Template values; URLs are panel paths ("/invoices/<id>") made absolute when rendered.
    context: dict[str, Any] = field(default_factory=dict)
    channels: frozenset[Channel] = ALL_CHANNELS
    # Marketing can be turned off by the client; everything in N-2 is transactional.
    marketing: bool = False
    # Account events carry the profile as it is now; the others use notify's copy of the contact.
    profile: ClientProfile | None = None
    service_id: uuid.UUID | None = None


def _invoice_path(invoice_id: uuid.UUID | None) -> str | None:
    return f"/invoices/{invoice_id}" if invoice_id else None


def welcome(e: ClientRegistered) -> Notice:
    return Notice("welcome", e.client_id, e, profile=e.profile)


def email_verification(e: EmailVerificationRequested) -> Notice:
    # The link proves the address: it goes to that address only.
    return Notice("email_verification", e.client_id, e, profile=e.profile, channels=frozenset({Channel.EMAIL}),
                  context={"verify_path": f"/verify-email?token={e.token}", "expires_at": e.expires_at})


def password_reset(e: PasswordResetRequested) -> Notice:
    # Whoever reads the mailbox may set the password: e-mail only, never WhatsApp or the panel inbox.
    return Notice("password_reset", e.client_id, e, profile=e.profile, channels=frozenset({Channel.EMAIL}),
                  context={"reset_path": f"/reset-password?token={e.token}", "expires_at": e.expires_at})


def account_exists(e: SignupForExistingAccount) -> Notice:
    # Issue 11: a sign-up with this address answered as a new one would; only its mailbox learns it is taken.
    return Notice("account_exists", e.client_id, e, profile=e.profile, channels=frozenset({Channel.EMAIL}),
                  context={"signin_path": "/sign-in", "forgot_path": "/forgot-password"})


def profile_updated(e: ClientUpdated) -> Notice:
    return Notice("profile_updated", e.client_id, e, profile=e.profile, context={"changed": e.changed})


def password_changed(e: PasswordChanged) -> Notice:
    return Notice("password_changed", e.client_id, e, profile=e.profile, context={"changed_at": e.occurred_at})


def invoice_issued(e: InvoiceIssued) -> Notice:
    return Notice("invoice_issued", e.client_id, e, context={
        "number": e.number, "total": e.total, "due_on": e.due_on, "payment_reference": e.payment_reference,
        "lines": e.lines, "invoice_path": _invoice_path(e.invoice_id),
    })


def invoice_reminder(e: InvoiceReminder) -> Notice:
    return Notice("invoice_reminder", e.client_id, e, context={
        "number": e.number, "total": e.total, "due_on": e.due_on, "days_before": e.days_before,
        "invoice_path": _invoice_path(e.invoice_id),
    })


def invoice_paid(e: InvoicePaid) -> Notice:
    return Notice("invoice_paid", e.client_id, e, context={
        "number": e.number, "total": e.total, "paid_at": e.paid_at, "invoice_path": _invoice_path(e.invoice_id),
    })


def invoice_cancelled(e: InvoiceCancelled) -> Notice:
    return Notice("invoice_cancelled", e.client_id, e,
                  context={"number": e.number, "invoice_path": _invoice_path(e.invoice_id)})


def automatic_payment_failed(e: AutomaticPaymentFailed) -> Notice:
    """B-21: an automatic charge (saved card, agreement, direct debit) did not pay the invoice: why, and the link to
    pay it by hand."""
    return Notice("automatic_payment_failed", e.client_id, e, context={
        "number": e.number, "total": e.total, "method": e.method, "reason": e.reason,
        "action_needed": e.action_needed, "next_attempt_on": e.next_attempt_on,
        "invoice_path": _invoice_path(e.invoice_id),
    })


ServiceChange = ServiceActivated | ServiceSuspended | ServiceReactivated | ServiceTerminated


def _service_change(kind: str) -> Callable[[ServiceChange], Notice]:
    """The service's page in the panel (`service_url`): where an active service's access data are shown."""

    def build(e: ServiceChange) -> Notice:
        return Notice(kind, e.client_id, e, service_id=e.service_id, context={
            "invoice_path": _invoice_path(e.invoice_id), "service_path": f"/services/{e.service_id}",
        })

    return build


def quote_available(e: QuoteAvailable) -> Notice:
    return Notice("quote_available", e.client_id, e, context={
        "number": e.number, "title": e.title, "total": e.total, "valid_until": e.valid_until,
        "quote_path": f"/support/tickets/{e.ticket_id}" if e.ticket_id else "/support",
    })


def ticket_replied(e: TicketReplied) -> Notice:
    """S-1: every staff reply is mailed to the client (the subject carries the code, so a reply by mail lands on the
    same ticket)."""
    return Notice("ticket_replied", e.client_id, e, context={
        "code": e.code, "subject": e.subject, "body": e.body, "status": e.status,
        "resolution_due_at": e.resolution_due_at, "ticket_path": f"/support/tickets/{e.ticket_id}",
    })


def ticket_escalated(e: TicketSlaFlagged, staff_id: uuid.UUID) -> Notice:
    """S-3: a ticket's deadline is near (warning) or missed (breach), its priority raised: a staff member is told, by
    e-mail and in its panel inbox, with the ticket's page in the console. Not N-2: the client is not told."""
    return Notice("ticket_escalated", staff_id, e, channels=frozenset({Channel.EMAIL, Channel.PANEL}), context={
        "code": e.code, "subject": e.subject, "sla_class": e.sla_class, "plan": e.plan, "deadline": e.deadline,
        "stage": e.stage, "due_at": e.due_at, "priority": e.priority, "assigned": e.assigned_to is not None,
        "ticket_path": f"/staff/support/tickets/{e.ticket_id}",
    })


def staff_appointment_reminder(e: AppointmentReminder, staff_id: uuid.UUID) -> Notice:
    """S-7 "both sides are reminded": the staff side of a remote-support appointment, by e-mail and panel inbox."""
    return Notice("staff_appointment_reminder", staff_id, e, channels=frozenset({Channel.EMAIL, Channel.PANEL}),
                  context={"starts_at": e.starts_at, "lead": e.lead, "topic": e.topic,
                           "client_path": f"/staff/clients/{e.client_id}"})


def appointment_reminder(e: AppointmentReminder) -> Notice:
    """S-7: the day before and an hour before a remote-support appointment."""
    return Notice("appointment_reminder", e.client_id, e, context={
        "starts_at": e.starts_at, "lead": e.lead, "topic": e.topic,
        "appointment_path": "/support/appointments",
    })


def site_migrated(e: SiteMigrated) -> Notice:
    """P-8: staff finished moving the client's site from its old server into its hosting."""
    return Notice("site_migrated", e.client_id, e, service_id=e.service_id, context={
        "domain": e.domain or e.product_name, "product_name": e.product_name,
        "service_path": f"/services/{e.service_id}",
    })


def domain_deleted(e: DomainDeleted) -> Notice:
    return Notice("domain_deleted", e.client_id, e, service_id=e.service_id, context={"domain": e.domain})


def domain_expiring(e: DomainExpiring) -> Notice:
    """D-2: the client is warned before its domain expires at the registry."""
    return Notice("domain_expiring", e.client_id, e, service_id=e.service_id, context={
        "domain": e.domain, "due_on": e.expires_on, "days_before": e.days_before,
        "service_path": f"/domains/{e.service_id}",
    })


def service_incident(e: IncidentClientAffected) -> Notice:
    """S-4: an incident on the server of some of the client's services opened or was resolved."""
    return Notice("service_incident", e.client_id, e, context={
        "stage": e.stage, "title": e.title, "server_label": e.server_label, "services": e.service_names,
        "message": e.message, "started_at": e.started_at, "resolved_at": e.resolved_at, "status_path": "/status",
    })


def idea_update(e: IdeaVoterTold) -> Notice:
    """S-5: an idea the client voted for was approved (enough votes) or shipped."""
    return Notice("idea_update", e.client_id, e, context={"title": e.title, "status": e.status, "votes": e.votes,
                                                          "ideas_path": "/ideas"})


def sla_credit(e: SlaCreditDecided) -> Notice:
    """S-4 Decision: a month under the 99.89% promise earned the service a credit, without the client asking."""
    return Notice("sla_credit", e.client_id, e, service_id=e.service_id, context={
        "product_name": e.product_name, "month": e.month, "uptime_percent": e.uptime_percent,
        "credit_percent": e.credit_percent, "downtime_minutes": e.downtime_minutes, "credit_path": "/credit",
    })


# Every N-2 event (and the verification link of A-1) and how it becomes a notice.
NOTICES: dict[type[Event], Callable[[Any], Notice]] = {
    ClientRegistered: welcome,
    EmailVerificationRequested: email_verification,
    PasswordResetRequested: password_reset,
    SignupForExistingAccount: account_exists,
    ClientUpdated: profile_updated,
    PasswordChanged: password_changed,
    InvoiceIssued: invoice_issued,
    InvoiceReminder: invoice_reminder,
    InvoicePaid: invoice_paid,
    InvoiceCancelled: invoice_cancelled,
    AutomaticPaymentFailed: automatic_payment_failed,
    ServiceActivated: _service_change("service_activated"),  # N-2 (#19): the access data are in the panel
    ServiceSuspended: _service_change("service_suspended"),
    ServiceReactivated: _service_change("service_reactivated"),
    ServiceTerminated: _service_change("service_terminated"),
    QuoteAvailable: quote_available,
    DomainDeleted: domain_deleted,
    DomainExpiring: domain_expiring,
    SiteMigrated: site_migrated,
    TicketReplied: ticket_replied,
    AppointmentReminder: appointment_reminder,
    IncidentClientAffected: service_incident,
    SlaCreditDecided: sla_credit,
    IdeaVoterTold: idea_update,
}
KINDS = tuple(sorted({"welcome", "email_verification", "password_reset", "profile_updated", "password_changed",
                      "invoice_issued", "invoice_reminder", "invoice_paid", "invoice_cancelled", "service_suspended",
                      "automatic_payment_failed",
                      "service_activated", "service_reactivated", "service_terminated", "quote_available",
                      "domain_deleted", "domain_expiring", "account_exists",
                      "ticket_replied", "appointment_reminder", "service_incident", "sla_credit",
                      "idea_update", "ticket_escalated", "staff_appointment_reminder", "site_migrated"}))

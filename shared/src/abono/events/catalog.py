"""The event catalog. Routing key `<service>.<entity>.<verb>`; README's "Event catalog" lists the same.

Each event carries what its consumers need (ids, figures, names for messages) so nobody calls back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from abono.events.base import Event, Lane
from abono.money import MoneyModel


class ClientProfile(BaseModel):
    """The client's contact data as it stands, for messages (notify) and billing's client copy."""

    model_config = ConfigDict(frozen=True)

    email: str
    name: str
    phone: str | None = None
    language: str = "es"
    country: str | None = None
    currency: str = "USD"


# --- gateway: accounts -------------------------------------------------------------------------
# F-1: the first-party cookie a referral link's visit sets (affiliate-svc) and the gateway reads at sign-up.
REFERRAL_VISIT_COOKIE = "abono_ref"


class ClientRegistered(Event):
    """A client signed up at the gateway: every service keeps its copy of the profile from here."""

    routing_key: ClassVar[str] = "gateway.client.registered"
    client_id: uuid.UUID
    profile: ClientProfile
    referral_code: str | None = None  # typed at sign-up (B-12/F-4, F-1)
    referral_visit: str | None = None  # F-1: the referral link visit's cookie, as the browser sent it


class EmailVerificationRequested(Event):
    """A verification link to mail (A-1); the token is single-use and expires."""

    routing_key: ClassVar[str] = "gateway.client.verification_requested"
    client_id: uuid.UUID
    profile: ClientProfile
    token: str
    expires_at: datetime


class EmailVerified(Event):
    """The client confirmed their e-mail address (needed e.g. to receive a transfer, P-6)."""

    routing_key: ClassVar[str] = "gateway.client.email_verified"
    client_id: uuid.UUID


class ClientUpdated(Event):
    """The client edited their profile; `changed` names the fields that changed."""

    routing_key: ClassVar[str] = "gateway.client.updated"
    client_id: uuid.UUID
    profile: ClientProfile
    changed: list[str]


class PasswordChanged(Event):
    """The client's password was changed (they are told, in case it was not them)."""

    routing_key: ClassVar[str] = "gateway.client.password_changed"
    client_id: uuid.UUID
    profile: ClientProfile
    # Wall time (access tokens' clock) at which the change ended the account's sessions: every service refuses
    # the access tokens issued before it (abono.revocation). None: the other sessions were kept.
    sessions_ended_at: datetime | None = None


class SessionsEnded(Event):
    """Every session of an account was ended without a password change: "sign out everywhere"
    (`signed_out_everywhere`) or an admin's reset of a staff member's second factor (`second_factor_reset`, a lost
    phone). Every service refuses the access tokens issued before `sessions_ended_at` (abono.revocation), as after
    a password change; the refresh tokens were revoked by the gateway in the same transaction."""

    routing_key: ClassVar[str] = "gateway.client.sessions_ended"
    lane: ClassVar[Lane] = Lane.URGENT
    client_id: uuid.UUID
    sessions_ended_at: datetime  # wall time, the access tokens' clock
    cause: Literal["signed_out_everywhere", "second_factor_reset"]


class PasswordResetRequested(Event):
    """A password-reset link to mail (issue 13); the token is single-use and expires. Only for an open account."""

    routing_key: ClassVar[str] = "gateway.client.password_reset_requested"
    client_id: uuid.UUID
    profile: ClientProfile
    token: str
    expires_at: datetime


class SignupForExistingAccount(Event):
    """Someone signed up with the e-mail of an open account (issue 11: the sign-up answers as for a new one, so
    it does not tell who is a client); the owner is mailed "you already have an account" instead."""

    routing_key: ClassVar[str] = "gateway.client.signup_repeated"
    client_id: uuid.UUID
    profile: ClientProfile


class ClientVerified(Event):
    """A-2: staff approved the client's identity documents. Services that gate on it (P-6 transfers, F-3
    withdrawals, international domains) record it. `document_fingerprint` is a keyed hash of the normalised
    document / tax id (never the number itself), so the affiliate service can spot self-referral (F-1)."""

    routing_key: ClassVar[str] = "gateway.client.identity_verified"
    client_id: uuid.UUID
    legal_name: str
    document_fingerprint: str | None = None


class ClientInvoicingIdentityChanged(Event):
    """A-2, #15 item 6: whom the client's invoices are made out to, as staff verified it: the legal name, the tax id
    (in clear: it is printed on the client's own invoices) and the postal address (None when not given). Billing
    keeps it on its client row for the invoice document; a later event replaces it."""

    routing_key: ClassVar[str] = "gateway.client.invoicing_identity_changed"
    client_id: uuid.UUID
    legal_name: str
    tax_id: str
    address: str | None = None


class ClientClosed(Event):
    """The account was closed (B-17: after a chargeback): it cannot log in or refresh; the gateway revoked every
    session. `rule` is the DOMAIN.md rule that closed it, `reason` a short machine-readable cause."""

    routing_key: ClassVar[str] = "gateway.client.closed"
    lane: ClassVar[Lane] = Lane.URGENT
    client_id: uuid.UUID
    reason: str  # "chargeback"
    rule: str  # "B-17"
    profile: ClientProfile | None = None  # for messages (notify)


class StaffRoleChanged(Event):
    """An account became staff or admin, or stopped being (`role` "client"): notify keeps its roster of staff
    members (e-mail, name, language) to tell them what needs a person, e.g. an escalated ticket (S-3)."""

    routing_key: ClassVar[str] = "gateway.staff.role_changed"
    staff_id: uuid.UUID
    role: str  # "staff" | "admin" | "client" (no longer staff)
    profile: ClientProfile


# --- billing -----------------------------------------------------------------------------------
class InvoiceLineInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    description: str
    amount: MoneyModel
    service_id: uuid.UUID | None = None
    product_kind: str | None = None  # catalog kind (C-1) of a service line; None: a fee (e.g. restoration)
    # The billing cycle (C-2) the line bills; None from publishers before the field existed. A domain's renewal
    # line says how many years to renew at the registry (B-11: a cycle change reaches provisioning with it).
    cycle: str | None = None


class InvoiceIssued(Event):
    """An invoice was issued (an order's or a renewal's, B-2): number, payment reference, lines, total, due date."""

    routing_key: ClassVar[str] = "billing.invoice.issued"
    lane: ClassVar[Lane] = Lane.BULK
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    payment_reference: str
    total: MoneyModel
    due_on: date
    lines: list[InvoiceLineInfo]
    kind: str | None = None  # "order", "renewal", "upgrade" (None from publishers before the field existed)


class InvoicePaid(Event):
    """What provisioning needs: services to activate, to reactivate (if nothing else is overdue), to upgrade."""

    routing_key: ClassVar[str] = "billing.invoice.paid"
    lane: ClassVar[Lane] = Lane.URGENT
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    total: MoneyModel
    paid_at: datetime
    method: str
    activate_service_ids: list[uuid.UUID] = []
    reactivate_service_ids: list[uuid.UUID] = []
    upgrade_ids: list[uuid.UUID] = []
    client_has_overdue: bool = False
    # Added for the affiliate service (F-2); absent from older publishers.
    kind: str | None = None  # "order", "renewal", "upgrade"
    lines: list[InvoiceLineInfo] = []  # the invoice's lines (amounts after discounts, before credit)
    payer_fingerprint: str | None = None  # the provider's fingerprint of the payer (card), where it gives one


class InvoiceRefunded(Event):
    """B-15: staff refunded (part of) a paid invoice; `amount` is what goes back to the client."""

    routing_key: ClassVar[str] = "billing.invoice.refunded"
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    amount: MoneyModel
    reason: str = ""


class InvoiceCancelled(Event):
    """An unpaid invoice was cancelled (B-6 termination, B-11 cycle change, B-14 expired upgrade, staff)."""

    routing_key: ClassVar[str] = "billing.invoice.cancelled"
    lane: ClassVar[Lane] = Lane.URGENT
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    reason: str


class UpgradeRequested(Event):
    """B-14: a client asked to move a service to another product; applied by provisioning once paid."""

    routing_key: ClassVar[str] = "billing.upgrade.requested"
    lane: ClassVar[Lane] = Lane.URGENT
    upgrade_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    from_product_id: uuid.UUID
    to_product_id: uuid.UUID
    invoice_id: uuid.UUID
    # What provisioning needs to move the account to the new plan (P-4 `change_package`).
    to_product_code: str | None = None
    to_product_name: str | None = None
    to_driver_settings: dict[str, Any] = {}


class InvoiceReminder(Event):
    """B-3: a reminder that an unpaid invoice falls due in `days_before` days."""

    routing_key: ClassVar[str] = "billing.invoice.reminder"
    lane: ClassVar[Lane] = Lane.BULK
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    total: MoneyModel
    due_on: date
    days_before: int


class ServiceOrdered(Event):
    """A service was ordered: provisioning creates it `pending` (the id is billing's subscription id)."""

    routing_key: ClassVar[str] = "billing.service.ordered"
    lane: ClassVar[Lane] = Lane.URGENT
    service_id: uuid.UUID
    client_id: uuid.UUID
    invoice_id: uuid.UUID
    product_id: uuid.UUID
    product_code: str
    product_name: str
    kind: str
    cycle: str
    activation: str  # "automatic" | "manual" (P-2, P-3)
    driver: str  # provisioning driver named by the catalog (P-4)
    driver_settings: dict[str, Any] = {}
    domain: str | None = None


class SuspensionDecided(Event):
    """Dunning (B-4 one service, B-5 all the client's services): provisioning suspends them."""

    routing_key: ClassVar[str] = "billing.service.suspension_decided"
    lane: ClassVar[Lane] = Lane.URGENT
    client_id: uuid.UUID
    service_ids: list[uuid.UUID]
    invoice_id: uuid.UUID
    rule: str  # "B-4" | "B-5"


class TerminationDecided(Event):
    """Dunning B-6, a refund or a client's cancellation (B-15), a chargeback (B-17): provisioning terminates."""

    routing_key: ClassVar[str] = "billing.service.termination_decided"
    lane: ClassVar[Lane] = Lane.URGENT
    client_id: uuid.UUID
    service_ids: list[uuid.UUID]
    invoice_id: uuid.UUID | None = None
    rule: str  # "B-6" | "B-15" | "B-17"


class ChargebackReceived(Event):
    """B-17: a provider reported a chargeback / dispute. Provisioning terminates through `TerminationDecided`; the
    affiliate service reverses the referred client's commissions (F-2); the gateway may close the account."""

    routing_key: ClassVar[str] = "billing.payment.charged_back"
    lane: ClassVar[Lane] = Lane.URGENT
    client_id: uuid.UUID
    invoice_id: uuid.UUID | None = None
    provider: str
    provider_payment_id: str
    dispute_id: str
    amount: MoneyModel | None = None


class AutomaticPaymentFailed(Event):
    """B-21: an automatic charge of an invoice (a saved card, a PayPal agreement, a Pagos360 direct debit) did not
    pay it. The invoice stays open; notify tells the client why and links the invoice to pay it by hand.
    `action_needed`: the method needs the client (authentication, an expired card, a rejected or cancelled mandate)
    and is not retried by itself; otherwise `next_attempt_on` says when the next try is, if any. One event per failed
    attempt (the publisher emits it once, with the attempt's own outcome)."""

    routing_key: ClassVar[str] = "billing.payment.automatic_failed"
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    total: MoneyModel
    method: str  # provider id: "stripe", "mercadopago", "paypal", "pagos360"
    reason: str  # the provider's words, for the client ("Fondos insuficientes")
    action_needed: bool = False
    next_attempt_on: date | None = None


# --- provisioning ------------------------------------------------------------------------------
class _ServiceChange(Event):
    lane: ClassVar[Lane] = Lane.URGENT
    service_id: uuid.UUID
    client_id: uuid.UUID
    reason: str
    invoice_id: uuid.UUID | None = None


class ServiceSuspended(_ServiceChange):
    """Provisioning suspended a service at its panel (dunning B-4/B-5, or staff)."""

    routing_key: ClassVar[str] = "provisioning.service.suspended"


class ServiceReactivated(_ServiceChange):
    """Provisioning reactivated a suspended service after its invoice was paid (B-7)."""

    routing_key: ClassVar[str] = "provisioning.service.reactivated"


class ServiceTerminated(_ServiceChange):
    """Provisioning terminated a service at its panel (B-6, a refund, a chargeback, a cancellation)."""

    routing_key: ClassVar[str] = "provisioning.service.terminated"


class ServiceActivated(_ServiceChange):
    """A paid order's service was created at its panel (or its set-up task completed): the client can use it.
    `server` names the server the account lives on (S-4: the status page and SLA credits), where a driver knows it."""

    routing_key: ClassVar[str] = "provisioning.service.activated"
    server: str | None = None


class ServiceTransferred(Event):
    """P-6: both clients confirmed a transfer; the service now belongs to `to_client_id`.
    Billing invoices the new owner from then on."""

    routing_key: ClassVar[str] = "provisioning.service.transferred"
    service_id: uuid.UUID
    from_client_id: uuid.UUID
    to_client_id: uuid.UUID
    transfer_id: uuid.UUID


class DomainDeleted(Event):
    """A domain was deleted at the registry (expired unrenewed, or by request): the client is told (N-2)."""

    routing_key: ClassVar[str] = "provisioning.domain.deleted"
    client_id: uuid.UUID
    domain: str
    service_id: uuid.UUID | None = None
    reason: str = ""


class SiteMigrated(Event):
    """P-8: staff finished migrating the client's site from its old server into this hosting service (the client is
    told)."""

    routing_key: ClassVar[str] = "provisioning.migration.done"
    client_id: uuid.UUID
    service_id: uuid.UUID
    product_name: str
    domain: str | None = None


class DomainExpiring(Event):
    """D-2: a domain expires at the registry in `days_before` days (the thresholds of
    PROVISIONING_DOMAIN_EXPIRY_NOTICE_DAYS, once each per expiry date): renew it (pay its renewal invoice, or turn
    renewal on) or it is deleted there."""

    routing_key: ClassVar[str] = "provisioning.domain.expiring"
    lane: ClassVar[Lane] = Lane.BULK
    client_id: uuid.UUID
    domain: str
    service_id: uuid.UUID
    expires_on: date
    days_before: int


class UpgradeApplied(Event):
    """Provisioning applied a paid upgrade (B-14): the service now runs the new product."""

    routing_key: ClassVar[str] = "provisioning.upgrade.applied"
    lane: ClassVar[Lane] = Lane.URGENT
    upgrade_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    to_product_id: uuid.UUID


# --- affiliate ---------------------------------------------------------------------------------
class ReferralAttributed(Event):
    """F-1: a new client's sign-up was attributed to an affiliate (`code` is the affiliate's referral code, the
    same code billing's referral free month uses, B-12/F-4)."""

    routing_key: ClassVar[str] = "affiliate.referral.attributed"
    client_id: uuid.UUID  # the referred client
    affiliate_client_id: uuid.UUID
    code: str
    source: str  # "link" (the visit cookie) | "code" (typed at sign-up)


class AffiliateCreditWithdrawn(Event):
    """F-3: an affiliate withdrew commissions as credit balance: billing adds `amount` to its credit, once."""

    routing_key: ClassVar[str] = "affiliate.withdrawal.credited"
    withdrawal_id: uuid.UUID
    client_id: uuid.UUID
    amount: MoneyModel


# --- support -----------------------------------------------------------------------------------
class QuoteAvailable(Event):
    """S-6: staff sent a quote (presupuesto); the client is told (N-2)."""

    routing_key: ClassVar[str] = "support.quote.available"
    quote_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    title: str
    total: MoneyModel
    valid_until: date | None = None
    ticket_id: uuid.UUID | None = None


class TicketReplied(Event):
    """S-1: staff answered a ticket (a public reply, never an internal note): the client is mailed (N-1)."""

    routing_key: ClassVar[str] = "support.ticket.replied"
    ticket_id: uuid.UUID
    client_id: uuid.UUID
    code: str
    subject: str
    message_id: uuid.UUID
    body: str
    status: str  # "answered" | "waiting_on_client" | "closed"
    resolution_due_at: datetime | None = None


class TicketSlaFlagged(Event):
    """S-3 Decision: a deadline is 15 minutes away (`warning`) or missed (`breach`), decided once per deadline;
    the ticket's priority was raised; notify tells the assignee, or every staff member while it is unassigned."""

    routing_key: ClassVar[str] = "support.ticket.sla_flagged"
    ticket_id: uuid.UUID
    client_id: uuid.UUID
    code: str
    subject: str
    sla_class: str
    plan: str
    deadline: str  # "first_response" | "resolution"
    stage: str  # "warning" | "breach"
    due_at: datetime
    priority: str
    assigned_to: uuid.UUID | None = None


class QuoteLineInfo(BaseModel):
    """A quote's line: from the catalog (`product_code` and `cycle`) or free (neither), at the quoted price."""

    model_config = ConfigDict(frozen=True)

    description: str
    quantity: int
    unit_price: MoneyModel
    product_code: str | None = None
    cycle: str | None = None


class QuoteAccepted(Event):
    """S-6: the client accepted a quote: billing places the order and issues its invoice, at the quoted prices,
    once per quote."""

    routing_key: ClassVar[str] = "support.quote.accepted"
    quote_id: uuid.UUID
    client_id: uuid.UUID
    number: str
    title: str
    currency: str
    lines: list[QuoteLineInfo]
    total: MoneyModel
    ticket_id: uuid.UUID | None = None


class AppointmentReminder(Event):
    """S-7: a remote-support appointment is `lead` away ("day" | "hour"): the client is reminded."""

    routing_key: ClassVar[str] = "support.appointment.reminder"
    lane: ClassVar[Lane] = Lane.BULK
    appointment_id: uuid.UUID
    client_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    lead: str
    topic: str
    staff_id: uuid.UUID | None = None


class IncidentClientAffected(Event):
    """S-4: an incident on a server that hosts some of the client's services was opened (`stage` "opened") or
    resolved ("resolved"); the client is told (N-2), once per incident, client and stage."""

    routing_key: ClassVar[str] = "support.incident.client_affected"
    incident_id: uuid.UUID
    client_id: uuid.UUID
    stage: str  # "opened" | "resolved"
    server: str
    server_label: str
    title: str
    status: str  # investigating | identified | monitoring | resolved
    message: str
    started_at: datetime
    resolved_at: datetime | None = None
    service_ids: list[uuid.UUID] = []
    service_names: list[str] = []


class IdeaVoterTold(Event):
    """S-5: an idea the client voted for reached `status` ("approved": 4 votes; "shipped": staff shipped it); once
    per idea, voter and status."""

    routing_key: ClassVar[str] = "support.idea.voter_told"
    idea_id: uuid.UUID
    client_id: uuid.UUID  # the voter
    title: str
    status: str  # approved | shipped
    votes: int


class SlaCreditDecided(Event):
    """S-4 Decision: a service's calendar month broke the 99.89% uptime promise. Billing credits the client's
    balance `credit_percent` of the service's monthly-equivalent price (B-10), once per service and month; notify
    announces it. One event per service and month."""

    routing_key: ClassVar[str] = "support.sla_credit.decided"
    service_id: uuid.UUID
    client_id: uuid.UUID
    month: date  # the month's first day
    server: str
    product_name: str
    downtime_minutes: int
    uptime_percent: Decimal  # e.g. 99.861
    credit_percent: int  # 10 | 25 | 50


# --- notify: inbound channels ---------------------------------------------------------------------
class WhatsAppMessageReceived(Event):
    """A client wrote to the provider's WhatsApp number (the webhook's signature verified by notify): support
    opens a ticket for a known number, or adds it to that client's open WhatsApp ticket (S-1)."""

    routing_key: ClassVar[str] = "notify.whatsapp.message_received"
    wa_message_id: str
    from_number: str  # E.164 digits as WhatsApp sends them, without "+"
    text: str
    received_at: datetime
    profile_name: str | None = None

"""The `PaymentProvider` Protocol and the plain values that cross it (STYLE: providers behind a Protocol)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable
from urllib.parse import urlencode

from abono.money import Money


class ProviderPaymentStatus(StrEnum):
    """A provider's payment, in our words."""

    APPROVED = "approved"  # the money is ours: apply it
    PENDING = "pending"  # not yet (a cash coupon not paid yet, a card in 3-D Secure ...)
    FAILED = "failed"  # rejected, cancelled, expired: nothing to do
    REFUNDED = "refunded"
    CHARGED_BACK = "charged_back"  # B-17


@dataclass(frozen=True)
class CheckoutInvoice:
    """What a provider needs to ask for an invoice's money."""

    invoice_id: uuid.UUID
    number: str
    payment_reference: str  # B-19: unique per invoice
    amount: Money
    client_email: str | None = None
    # Where the client comes back to (a path of the panel); the invoice's own page when None. Several invoices paid
    # in one checkout come back to the invoices list, with `invoice_id` and `payment_reference` the batch's own.
    return_path: str | None = None

    def back_url(self, base: str, **query: str) -> str:
        """The page the provider sends the client back to, on the panel at `base`, with `query` added."""
        path = self.return_path or f"/invoices/{self.invoice_id}"
        if not query:
            return f"{base}{path}"
        return f"{base}{path}{'&' if '?' in path else '?'}{urlencode(query)}"


@dataclass(frozen=True)
class NewMandate:
    """What a provider that takes mandates needs to create one (`kind` "cbu" or "card"); the CBU or card number goes
    to the provider only."""

    kind: str
    holder_name: str
    email: str
    description: str
    reference: str
    client_id: uuid.UUID
    cbu: str = ""
    holder_tax_id: str = ""
    card_number: str = ""


@dataclass(frozen=True)
class Checkout:
    """Where the client goes to pay: the provider's object (session, preference) and its URL."""

    provider_ref: str
    redirect_url: str


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it; `payment_id` is the provider's own id (the payment key's half)."""

    provider: str
    payment_id: str
    status: ProviderPaymentStatus
    amount: Money
    invoice_id: uuid.UUID | None  # from Stripe's metadata / client_reference_id
    reference: str | None  # MercadoPago's external_reference (the invoice's payment reference)
    automatic: bool = False  # charged without the client (a saved method, a direct debit: B-21)
    failure_reason: str | None = None  # the provider's words when it failed (told to the client)
    # Who paid, as the provider fingerprints it (Stripe: the card's fingerprint), prefixed with the provider; sent on
    # `InvoicePaid` so the affiliate service spots one payer behind two accounts (F-1 self-referral).
    payer_fingerprint: str | None = None

    @property
    def payment_key(self) -> str:
        """B-19: `apply_payment`'s idempotency key, one per provider payment."""
        return f"{self.provider}:{self.payment_id}"


@dataclass(frozen=True)
class Dispute:
    """A chargeback / dispute on a provider payment (B-17)."""

    provider: str
    dispute_id: str
    payment_id: str


@dataclass(frozen=True)
class WebhookRequest:
    """A provider's notification as it reached us: the raw body and what came with it (header names lower-case)."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str]


@dataclass(frozen=True)
class VerifiedEvent:
    """A notification whose signature was checked; stored once per (provider, external id) before processing."""

    provider: str
    external_id: str  # unique per provider: the stored row's key
    event_type: str
    object_id: str | None
    body: str


@dataclass(frozen=True)
class MethodUpdate:
    """A saved method or mandate changed state at its provider (B-21): "active", "pending", "cancelled", or a
    setup "failed" / "expired". A method being saved names its setup by `setup_key` (the key its setup call was
    made with) and, once saved, carries the customer and the label a client recognises."""

    provider: str
    method_ref: str
    state: str
    detail: str = ""
    setup_key: str = ""
    customer_ref: str = ""
    label: str = ""


@dataclass(frozen=True)
class EventEffect:
    """What a verified event means for us: a payment to apply, a dispute to record, a saved method's new state, or
    nothing (`note` says why)."""

    payment: ProviderPayment | None = None
    dispute: Dispute | None = None
    method_update: MethodUpdate | None = None
    note: str = "ignored"


class PaymentProvider(Protocol):
    """One payment provider: adding one is a module implementing this and its settings, registered by id in
    `billing.payments.registry`. Implementations are async; a sync SDK runs in a thread."""

    name: str

    async def create_checkout(self, *, invoice: CheckoutInvoice, idempotency_key: str) -> Checkout:
        """Ask the provider for a payment page for the invoice's amount (the key was stored before the call)."""
        ...

    async def capture(self, *, checkout_ref: str, invoice: CheckoutInvoice, idempotency_key: str
                      ) -> list[ProviderPayment]:
        """The client is back from the provider's page: take the money the client approved (PayPal's order
        capture, keyed) and report the payments; a provider that captures by itself only reports them."""
        ...

    async def verify_webhook(self, request: WebhookRequest) -> VerifiedEvent:
        """Check a notification's signature before anything is stored (B-19): `MissingSignature` (400) or
        `BadSignature` (401) from `billing.payments.verify` when it does not hold."""
        ...

    async def parse_event(self, event: VerifiedEvent) -> EventEffect:
        """What a stored, verified event means (the provider's API is asked when the body is not signed)."""
        ...

    async def get_payment(self, *, payment_id: str) -> ProviderPayment:
        """The provider's current view of one payment (the truth when a notification's body is not signed)."""
        ...

    async def payments_for(self, *, checkout_ref: str, invoice: CheckoutInvoice) -> list[ProviderPayment]:
        """Reconciliation: the payments the provider holds for one checkout (a lost webhook shows up here)."""
        ...

    async def refund(self, *, payment_id: str, amount: Money, idempotency_key: str) -> str:
        """Refund `amount` of a payment back through the method that paid (B-15); returns the refund's id."""
        ...


@dataclass(frozen=True)
class SavedMethod:
    """A payment method the client saved at a provider (a card, an agreement), charged later without the client:
    `customer_ref` is the provider's customer (Stripe's `cus_...`), `method_ref` the method (`pm_...`)."""

    provider: str
    customer_ref: str
    method_ref: str
    label: str  # what the client recognises: "Visa •••• 4242 (12/2030)"


@dataclass(frozen=True)
class MethodSetup:
    """Where the client goes to save a method (`redirect_url`) and the provider's object that records it."""

    setup_ref: str
    redirect_url: str
    customer_ref: str


class ChargeRefused(Exception):
    """A saved method was refused for an off-session charge (B-21): `code` is the provider's reason; with
    `action_required` the bank wants the client present (SCA / 3-D Secure), so retrying without it is pointless."""

    def __init__(self, code: str, message: str = "", *, action_required: bool = False,
                 payment_id: str | None = None) -> None:
        super().__init__(message or code)
        self.code, self.action_required, self.payment_id = code, action_required, payment_id


@runtime_checkable
class SavesMethods(Protocol):
    """An optional capability of a `PaymentProvider` (B-21, issue #15 item 2): saving a method and charging it
    without the client. `isinstance(provider, SavesMethods)` tells whether one offers it."""

    # True when the saved method is a standing agreement the payer sees at the provider (PayPal's vault): stopping
    # auto-pay also cancels it there. False keeps it saved (a card) for the client to turn auto-pay on again.
    forget_when_stopped: bool

    async def start_saving(self, *, client_id: uuid.UUID, email: str | None, customer_ref: str | None,
                           return_url: str, idempotency_key: str) -> MethodSetup:
        """Where the client goes to save a method (Stripe: a Checkout Session in setup mode, i.e. a SetupIntent);
        the provider's customer is created (keyed) when `customer_ref` is None."""
        ...

    async def finish_saving(self, *, setup_ref: str) -> SavedMethod | None:
        """The method the client saved at that setup, None while it is not saved (yet, or refused);
        `SetupExpired` when the provider no longer holds an unfinished setup (it expired unanswered)."""
        ...

    async def charge_saved(self, *, method: SavedMethod, invoice: CheckoutInvoice,
                           idempotency_key: str) -> ProviderPayment:
        """Charge a saved method for an invoice, once per key; `ChargeRefused` when declined or when the bank
        wants the client's authentication, `ProviderError` when the provider cannot be reached (retry, same key)."""
        ...

    async def forget_method(self, *, method: SavedMethod) -> None:
        """Remove the method at the provider (Stripe: detach the PaymentMethod): it can no longer be charged."""
        ...


class SetupExpired(Exception):
    """A setup the client never finished is gone at the provider (its page expired, and no notification says so):
    nothing was saved, and nothing can be saved through it any more."""


class ProviderError(Exception):
    """The provider answered with an error or could not be reached."""

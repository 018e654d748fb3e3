"""The `PaymentProvider` Protocol and the plain values that cross it (STYLE: providers behind a Protocol)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

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


class PaymentProvider(Protocol):
    """One payment provider. Implementations are async; a sync SDK runs in a thread."""

    name: str

    async def create_checkout(self, *, invoice: CheckoutInvoice, idempotency_key: str) -> Checkout:
        """Ask the provider for a payment page for the invoice's amount (the key was stored before the call)."""
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


class ProviderError(Exception):
    """The provider answered with an error or could not be reached."""

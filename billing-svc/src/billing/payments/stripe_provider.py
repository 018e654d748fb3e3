"""Stripe through its official SDK's async calls (`StripeClient(..., http_client=stripe.HTTPXClient())`).

Amounts are ints of minor units as Stripe wants them: zero-decimal currencies (CLP, PYG, JPY) unscaled. A Checkout
Session carries the invoice id as `client_reference_id` and in the metadata of the session and its PaymentIntent, so
any event (in any order) leads back to the invoice.
"""

from __future__ import annotations

import uuid
from typing import Any

import stripe

from abono.money import Money, exponent
from billing.payments.provider import (
    Checkout,
    CheckoutInvoice,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
)

# Stripe's zero-decimal currencies among ours; for these Stripe's amount is the ISO amount unscaled.
STRIPE_ZERO_DECIMAL = frozenset({"CLP", "PYG", "JPY", "KRW", "VND", "XAF", "XOF"})

_STATUS = {
    "succeeded": ProviderPaymentStatus.APPROVED,
    "canceled": ProviderPaymentStatus.FAILED,
}


def stripe_amount(money: Money) -> int:
    """Money → Stripe's integer amount; refuses a currency whose Stripe scale differs from ISO 4217's."""
    stripe_exponent = 0 if money.currency in STRIPE_ZERO_DECIMAL else 2
    if exponent(money.currency) != stripe_exponent:
        raise ProviderError(f"{money.currency}: Stripe's minor unit differs from ISO 4217's; not supported")
    return money.amount_minor


def money_from_stripe(amount: int, currency: str) -> Money:
    money = Money(int(amount), currency.upper())
    stripe_amount(money)  # same scale check
    return money


def payment_from_intent(intent: Any) -> ProviderPayment:
    """A PaymentIntent (from the API or a signed event) as a `ProviderPayment`."""
    metadata = intent.get("metadata") or {}
    raw_invoice = metadata.get("invoice_id")
    received = intent.get("amount_received") or intent.get("amount") or 0
    status = _STATUS.get(str(intent.get("status")), ProviderPaymentStatus.PENDING)
    return ProviderPayment(provider="stripe", payment_id=str(intent["id"]), status=status,
                           amount=money_from_stripe(received, str(intent["currency"])),
                           invoice_id=uuid.UUID(raw_invoice) if raw_invoice else None,
                           reference=metadata.get("payment_reference"))


class StripeProvider:
    name = "stripe"

    def __init__(self, *, api_key: str, api_url: str, return_url: str) -> None:
        self.client = stripe.StripeClient(api_key, base_addresses={"api": api_url}, http_client=stripe.HTTPXClient(),
                                          max_network_retries=2)
        self.return_url = return_url.rstrip("/")

    async def create_checkout(self, *, invoice: CheckoutInvoice, idempotency_key: str) -> Checkout:
        metadata = {"invoice_id": str(invoice.invoice_id), "payment_reference": invoice.payment_reference}
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": str(invoice.invoice_id),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": f"Factura {invoice.number}"},
            "line_items": [{"quantity": 1, "price_data": {
                "currency": invoice.amount.currency.lower(), "unit_amount": stripe_amount(invoice.amount),
                "product_data": {"name": f"Factura {invoice.number}"}}}],
            "success_url": f"{self.return_url}/invoices/{invoice.invoice_id}?paid=1",
            "cancel_url": f"{self.return_url}/invoices/{invoice.invoice_id}",
        }
        if invoice.client_email:
            params["customer_email"] = invoice.client_email
        try:
            session = await self.client.v1.checkout.sessions.create_async(
                params, {"idempotency_key": idempotency_key})  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        return Checkout(provider_ref=str(session["id"]), redirect_url=str(session["url"]))

    async def get_payment(self, *, payment_id: str) -> ProviderPayment:
        try:
            intent = await self.client.v1.payment_intents.retrieve_async(payment_id)
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        return payment_from_intent(intent.to_dict())

    async def payments_for(self, *, checkout_ref: str, invoice: CheckoutInvoice) -> list[ProviderPayment]:
        try:
            session = await self.client.v1.checkout.sessions.retrieve_async(checkout_ref)
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        intent_id = session.payment_intent
        if not intent_id:
            return []
        return [await self.get_payment(payment_id=str(intent_id))]

    async def refund(self, *, payment_id: str, amount: Money, idempotency_key: str) -> str:
        try:
            refund = await self.client.v1.refunds.create_async(
                {"payment_intent": payment_id, "amount": stripe_amount(amount)},
                {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        return str(refund["id"])

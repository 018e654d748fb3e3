"""Stripe through its official SDK's async calls (`StripeClient(..., http_client=stripe.HTTPXClient())`).

Amounts are ints of minor units as Stripe wants them: zero-decimal currencies (CLP, PYG, JPY) unscaled. A Checkout
Session carries the invoice id as `client_reference_id` and in the metadata of the session and its PaymentIntent, so
any event (in any order) leads back to the invoice.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

import stripe

from abono.money import Money, exponent
from billing.config import BillingSettings
from billing.payments.provider import (
    ChargeRefused,
    Checkout,
    CheckoutInvoice,
    Dispute,
    EventEffect,
    MethodSetup,
    MethodUpdate,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
    SavedMethod,
    VerifiedEvent,
    WebhookRequest,
)
from billing.payments.verify import verify_stripe

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


def card_fingerprint(intent: Any) -> str | None:
    """F-1: the paying card's fingerprint, from an intent whose `latest_charge` is expanded (else None)."""
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict):
        return None
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    fingerprint = card.get("fingerprint")
    return f"stripe:card:{fingerprint}" if fingerprint else None


def payment_from_intent(intent: Any) -> ProviderPayment:
    """A PaymentIntent (from the API or a signed event) as a `ProviderPayment`."""
    metadata = intent.get("metadata") or {}
    raw_invoice = metadata.get("invoice_id")
    received = intent.get("amount_received") or intent.get("amount") or 0
    status = _STATUS.get(str(intent.get("status")), ProviderPaymentStatus.PENDING)
    return ProviderPayment(provider="stripe", payment_id=str(intent["id"]), status=status,
                           amount=money_from_stripe(received, str(intent["currency"])),
                           invoice_id=uuid.UUID(raw_invoice) if raw_invoice else None,
                           reference=metadata.get("payment_reference"), payer_fingerprint=card_fingerprint(intent))


def _session_payment(obj: dict[str, Any]) -> ProviderPayment | None:
    """A paid Checkout Session's payment (from a signed event), None while it is not paid."""
    if obj.get("payment_status") != "paid" or not obj.get("payment_intent"):
        return None
    metadata = obj.get("metadata") or {}
    raw_invoice = metadata.get("invoice_id") or obj.get("client_reference_id")
    return ProviderPayment(provider="stripe", payment_id=str(obj["payment_intent"]),
                           status=ProviderPaymentStatus.APPROVED,
                           amount=money_from_stripe(int(obj["amount_total"]), str(obj["currency"])),
                           invoice_id=uuid.UUID(str(raw_invoice)) if raw_invoice else None,
                           reference=metadata.get("payment_reference"))


def _card_label(method: dict[str, Any]) -> str:
    """A saved card as a client recognises it: "Visa •••• 4242 (12/2034)"."""
    card = method.get("card") or {}
    label = f"{str(card.get('brand', 'card')).title()} •••• {card.get('last4', '????')}"
    if card.get("exp_month") and card.get("exp_year"):
        label += f" ({int(card['exp_month']):02d}/{card['exp_year']})"
    return label


EffectNone = EventEffect(note="not ours")


class StripeProvider:
    name = "stripe"
    forget_when_stopped = False  # B-21: a saved card stays saved when auto-pay stops

    def __init__(self, settings: BillingSettings) -> None:
        self.client = stripe.StripeClient(settings.stripe_api_key, base_addresses={"api": settings.stripe_api_url},
                                          http_client=stripe.HTTPXClient(), max_network_retries=2)
        self.return_url = settings.payments_public_url.rstrip("/")
        self.webhook_secrets = list(settings.stripe_webhook_secrets)
        self.tolerance_seconds = settings.webhook_tolerance_seconds

    @classmethod
    def from_settings(cls, settings: BillingSettings) -> StripeProvider | None:
        """None without an API key: Stripe is not offered."""
        return cls(settings) if settings.stripe_api_key else None

    async def verify_webhook(self, request: WebhookRequest) -> VerifiedEvent:
        return verify_stripe(body=request.body, header=request.headers.get("stripe-signature"),
                             secrets=self.webhook_secrets, tolerance=self.tolerance_seconds)

    async def parse_event(self, event: VerifiedEvent) -> EventEffect:
        """The body is signed: it is the truth (sessions paid, intents succeeded, disputes opened)."""
        body = json.loads(event.body)
        obj: dict[str, Any] = body["data"]["object"]
        kind = body["type"]
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            found = _session_payment(obj)
            if found is None:
                return EventEffect(note="not paid yet")
            return EventEffect(payment=await self._with_payer(found))
        if kind == "payment_intent.succeeded":
            return EventEffect(payment=await self._with_payer(payment_from_intent(obj)))
        if kind.startswith("setup_intent.") or kind == "checkout.session.expired":
            return await self._setup_event(kind, obj)
        if kind == "charge.dispute.created":
            return EventEffect(dispute=Dispute(provider="stripe", dispute_id=str(obj["id"]),
                                               payment_id=str(obj["payment_intent"])))
        return EventEffect()

    async def _with_payer(self, payment: ProviderPayment) -> ProviderPayment:
        """An approved payment with its card's fingerprint (F-1): events do not carry the charge, the intent with
        `latest_charge` expanded does. A failure here is retried with the event, never skipped."""
        if payment.status is not ProviderPaymentStatus.APPROVED or payment.payer_fingerprint:
            return payment
        fetched = await self.get_payment(payment_id=payment.payment_id)
        return replace(payment, payer_fingerprint=fetched.payer_fingerprint)

    async def capture(self, *, checkout_ref: str, invoice: CheckoutInvoice, idempotency_key: str
                      ) -> list[ProviderPayment]:
        """Checkout captures by itself: what the session holds."""
        return await self.payments_for(checkout_ref=checkout_ref, invoice=invoice)

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
            "success_url": invoice.back_url(self.return_url, paid="1"),
            "cancel_url": invoice.back_url(self.return_url),
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
            intent = await self.client.v1.payment_intents.retrieve_async(
                payment_id, {"expand": ["latest_charge"]})
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

    # --- saved cards (B-21): SetupIntents through Checkout in setup mode, off-session PaymentIntents ------------
    async def start_saving(self, *, client_id: uuid.UUID, email: str | None, customer_ref: str | None,
                           return_url: str, idempotency_key: str) -> MethodSetup:
        """A Customer (keyed, once per client) and a Checkout Session in setup mode: its SetupIntent saves the
        card for later off-session use; Checkout asks for 3-D Secure when the bank wants it, now, not later."""
        # `setup_key` names our saved-method row in the webhooks of the session and its SetupIntent.
        metadata = {"client_id": str(client_id), "setup_key": idempotency_key}
        try:
            if customer_ref is None:
                customer_params: dict[str, Any] = {"metadata": metadata}
                if email:
                    customer_params["email"] = email
                customer = await self.client.v1.customers.create_async(
                    customer_params, {"idempotency_key": f"{idempotency_key}-customer"})  # type: ignore[arg-type]
                customer_ref = str(customer["id"])
            session = await self.client.v1.checkout.sessions.create_async({  # type: ignore[arg-type]
                "mode": "setup", "customer": customer_ref, "payment_method_types": ["card"],
                "metadata": metadata, "setup_intent_data": {"metadata": metadata},
                "success_url": f"{return_url}{'&' if '?' in return_url else '?'}setup={{CHECKOUT_SESSION_ID}}",
                "cancel_url": return_url,
            }, {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        return MethodSetup(setup_ref=str(session["id"]), redirect_url=str(session["url"]), customer_ref=customer_ref)

    async def finish_saving(self, *, setup_ref: str) -> SavedMethod | None:
        try:
            session = (await self.client.v1.checkout.sessions.retrieve_async(setup_ref)).to_dict()
            if not session.get("setup_intent"):
                return None
            intent = (await self.client.v1.setup_intents.retrieve_async(str(session["setup_intent"]))).to_dict()
            if intent["status"] != "succeeded" or not intent.get("payment_method"):
                return None
            method = (await self.client.v1.payment_methods.retrieve_async(str(intent["payment_method"]))).to_dict()
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        return SavedMethod(provider=self.name, customer_ref=str(session["customer"]), method_ref=str(method["id"]),
                           label=_card_label(method))

    async def _setup_event(self, kind: str, obj: dict[str, Any]) -> EventEffect:
        """B-21: a card saved (`setup_intent.succeeded`, even if the client never comes back to us), refused
        (`setup_intent.setup_failed`: the client may try another card on the same page), or a setup page left
        unfinished until Stripe expired it (`checkout.session.expired`, 24 hours by default)."""
        setup_key = str((obj.get("metadata") or {}).get("setup_key") or "")
        if not setup_key or (kind == "checkout.session.expired" and obj.get("mode") != "setup"):
            return EffectNone
        if kind == "setup_intent.succeeded" and obj.get("payment_method"):
            try:
                method = (await self.client.v1.payment_methods.retrieve_async(str(obj["payment_method"]))).to_dict()
            except stripe.StripeError as exc:
                raise ProviderError(f"Stripe: {exc}") from exc
            return EventEffect(method_update=MethodUpdate(
                provider=self.name, method_ref=str(method["id"]), state="active", setup_key=setup_key,
                customer_ref=str(obj.get("customer") or method.get("customer") or ""), label=_card_label(method)))
        if kind == "setup_intent.setup_failed":
            error = obj.get("last_setup_error") or {}
            return EventEffect(method_update=MethodUpdate(
                provider=self.name, method_ref="", state="failed", setup_key=setup_key,
                detail=str(error.get("decline_code") or error.get("code") or "setup_failed")))
        if kind == "checkout.session.expired":
            return EventEffect(method_update=MethodUpdate(provider=self.name, method_ref="", state="expired",
                                                          setup_key=setup_key))
        return EffectNone

    async def charge_saved(self, *, method: SavedMethod, invoice: CheckoutInvoice,
                           idempotency_key: str) -> ProviderPayment:
        """An off-session PaymentIntent confirmed at once (`confirm=true, off_session=true`), as Stripe's API
        takes a merchant-initiated charge; a decline or `authentication_required` comes back as a card error."""
        metadata = {"invoice_id": str(invoice.invoice_id), "payment_reference": invoice.payment_reference,
                    "autopay": "true"}
        try:
            intent = await self.client.v1.payment_intents.create_async({
                "amount": stripe_amount(invoice.amount), "currency": invoice.amount.currency.lower(),
                "customer": method.customer_ref, "payment_method": method.method_ref, "confirm": True,
                "off_session": True, "metadata": metadata, "description": f"Factura {invoice.number}",
                "expand": ["latest_charge"],  # the card's fingerprint (F-1), as `get_payment` reads it
            }, {"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            error = exc.error
            code = str(getattr(error, "decline_code", None) or exc.code or "card_declined")
            declined = getattr(error, "payment_intent", None)  # the declined PaymentIntent, as Stripe returns it
            intent_id = str(declined["id"]) if declined else None
            if exc.code == "authentication_required" or code == "authentication_required":
                raise ChargeRefused("authentication_required", str(exc.user_message or exc), action_required=True,
                                    payment_id=intent_id) from exc
            raise ChargeRefused(code, str(exc.user_message or exc), payment_id=intent_id) from exc
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc
        found = payment_from_intent(intent.to_dict())
        if intent["status"] == "requires_action":  # a bank asking for 3-D Secure on a charge it let through
            raise ChargeRefused("authentication_required", "The bank asks for authentication.",
                                action_required=True, payment_id=found.payment_id)
        return found

    async def forget_method(self, *, method: SavedMethod) -> None:
        try:
            await self.client.v1.payment_methods.detach_async(method.method_ref)
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404 and "not attached" not in str(exc):
                raise ProviderError(f"Stripe: {exc}") from exc
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc}") from exc

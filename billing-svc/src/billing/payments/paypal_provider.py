"""PayPal through its REST API over httpx (Orders v2, Payments v2, Webhooks v1), not the `paypal-server-sdk`.

Why not the SDK: `paypal-server-sdk` (generated; Orders, Payments, Vault, Transaction Search, Subscriptions) has no
Webhooks controller, so the verify-webhook-signature call would be raw HTTP anyway; its calls are synchronous
(`requests`), so every one would run in a thread like MercadoPago's; and pointing it at a local fake means replacing
its environment's base URLs. Five endpoints and the OAuth token are a small client on the httpx this service
already uses, async, with PayPal-Request-Id (PayPal's idempotency key) on every write.

The order carries the invoice id as `custom_id` and the payment reference as `invoice_id` (B-19: unique per
invoice, so PayPal itself refuses a second order for the same reference once paid); a capture carries both back.
The payment key is the capture id. B-20: PayPal refuses accounts in UYU, PYG and VES (`rules.check_method`).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from abono.errors import ServiceUnavailable
from abono.money import Money, exponent
from billing.config import BillingSettings
from billing.payments.paypal_vault import PayPalVault
from billing.payments.provider import (
    Checkout,
    CheckoutInvoice,
    Dispute,
    EventEffect,
    MethodUpdate,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
    VerifiedEvent,
    WebhookRequest,
)
from billing.payments.verify import BadSignature, MissingSignature

# PayPal's currencies without a minor unit (its amounts are strings in major units, at most 2 decimals).
PAYPAL_ZERO_DECIMAL = frozenset({"HUF", "JPY", "TWD"})
_CAPTURE_STATUS = {
    "COMPLETED": ProviderPaymentStatus.APPROVED,
    "DECLINED": ProviderPaymentStatus.FAILED,
    "FAILED": ProviderPaymentStatus.FAILED,
    "REFUNDED": ProviderPaymentStatus.REFUNDED,
    "PARTIALLY_REFUNDED": ProviderPaymentStatus.APPROVED,
}
SIGNATURE_HEADERS = (
    "paypal-transmission-id",
    "paypal-transmission-time",
    "paypal-transmission-sig",
    "paypal-cert-url",
    "paypal-auth-algo",
)


def paypal_value(money: Money) -> str:
    """Money → PayPal's amount string ("15.00"; "1500" for JPY); refuses a scale PayPal does not use."""
    paypal_exponent = 0 if money.currency in PAYPAL_ZERO_DECIMAL else 2
    if exponent(money.currency) != paypal_exponent:
        raise ProviderError(f"{money.currency}: PayPal's minor unit differs from ISO 4217's; not supported")
    return f"{money.to_decimal():f}"


def money_from_paypal(amount: dict[str, Any]) -> Money:
    return Money.from_decimal(Decimal(str(amount["value"])), str(amount["currency_code"]))


def payment_from_capture(capture: dict[str, Any]) -> ProviderPayment:
    raw_invoice = capture.get("custom_id")
    return ProviderPayment(
        provider="paypal",
        payment_id=str(capture["id"]),
        status=_CAPTURE_STATUS.get(str(capture.get("status")), ProviderPaymentStatus.PENDING),
        amount=money_from_paypal(capture["amount"]),
        invoice_id=uuid.UUID(str(raw_invoice)) if raw_invoice else None,
        reference=capture.get("invoice_id"),
    )


def captures_of(order: dict[str, Any]) -> list[ProviderPayment]:
    return [
        payment_from_capture(capture)
        for unit in order.get("purchase_units", [])
        for capture in (unit.get("payments") or {}).get("captures", [])
    ]


def _transmission_seconds(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()
    except ValueError:
        return None


class PayPalProvider(PayPalVault):
    """Checkout, capture, webhooks and refunds here; the vaulted account for auto-pay in `PayPalVault` (B-21)."""

    name = "paypal"

    def __init__(self, settings: BillingSettings, timeout_seconds: float = 20) -> None:
        self.client_id, self.client_secret = settings.paypal_client_id, settings.paypal_client_secret
        self.api_url = settings.paypal_api_url.rstrip("/")
        self.return_url = settings.payments_public_url.rstrip("/")
        self.webhook_id = settings.paypal_webhook_id
        self.tolerance_seconds = settings.webhook_tolerance_seconds
        self.timeout_seconds = timeout_seconds
        self._token: tuple[str, float] | None = None  # (access token, monotonic expiry)
        self._token_lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: BillingSettings) -> PayPalProvider | None:
        """None without REST app credentials: PayPal is not offered."""
        return cls(settings) if settings.paypal_client_id and settings.paypal_client_secret else None

    # --- transport -------------------------------------------------------------------------------------
    async def _access_token(self, http: httpx.AsyncClient) -> str:
        async with self._token_lock:
            if self._token is not None and self._token[1] > time.monotonic():
                return self._token[0]
            answer = await http.post(
                f"{self.api_url}/v1/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
            )
            if answer.status_code != 200:
                raise ProviderError(f"PayPal token: HTTP {answer.status_code}: {answer.text[:300]}")
            body = answer.json()
            # Renewed a minute before PayPal says it expires.
            self._token = (str(body["access_token"]), time.monotonic() + max(int(body["expires_in"]) - 60, 0))
            return self._token[0]

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        request_id: str | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> tuple[int, dict[str, Any]]:
        try:
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as http:
                headers = {
                    "Authorization": f"Bearer {await self._access_token(http)}",
                    "Prefer": "return=representation",
                }
                if request_id:
                    headers["PayPal-Request-Id"] = request_id
                answer = await http.request(method, f"{self.api_url}{path}", json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderError(f"PayPal {path}: {exc!r}") from exc
        if answer.status_code == 401:
            self._token = None  # revoked or expired early: the next call asks for another
        parsed: dict[str, Any] = answer.json() if answer.content else {}
        if answer.status_code not in ok:
            raise ProviderError(f"PayPal {method} {path}: HTTP {answer.status_code}: {answer.text[:500]}")
        return answer.status_code, parsed

    def _captured(self, order: dict[str, Any]) -> list[ProviderPayment]:
        return captures_of(order)

    def _amount(self, money: Money) -> str:
        return paypal_value(money)

    # --- PaymentProvider -------------------------------------------------------------------------------
    async def create_checkout(self, *, invoice: CheckoutInvoice, idempotency_key: str) -> Checkout:
        order = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": invoice.number,
                    "description": f"Factura {invoice.number}",
                    "custom_id": str(invoice.invoice_id),
                    "invoice_id": invoice.payment_reference,
                    "amount": {"currency_code": invoice.amount.currency, "value": paypal_value(invoice.amount)},
                }
            ],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "user_action": "PAY_NOW",
                        "shipping_preference": "NO_SHIPPING",
                        "return_url": invoice.back_url(self.return_url, paid="1", provider="paypal"),
                        "cancel_url": invoice.back_url(self.return_url, provider="paypal"),
                    }
                }
            },
        }
        _, created = await self._call("POST", "/v2/checkout/orders", body=order, request_id=idempotency_key)
        link = next((x["href"] for x in created.get("links", []) if x.get("rel") in ("payer-action", "approve")), None)
        if not link:
            raise ProviderError(f"PayPal order {created.get('id')} has no approval link")
        return Checkout(provider_ref=str(created["id"]), redirect_url=str(link))

    async def capture(
        self, *, checkout_ref: str, invoice: CheckoutInvoice, idempotency_key: str
    ) -> list[ProviderPayment]:
        """Capture an order the payer approved; one captured before (by the return, a webhook or reconciliation)
        is read instead; one not approved yet has nothing to capture."""
        status, body = await self._call(
            "POST",
            f"/v2/checkout/orders/{checkout_ref}/capture",
            body={},
            request_id=idempotency_key,
            ok=(200, 201, 422),
        )
        if status == 422:
            issues = {d.get("issue") for d in body.get("details", [])}
            if "ORDER_ALREADY_CAPTURED" in issues:
                return await self._order_captures(checkout_ref)
            if "ORDER_NOT_APPROVED" in issues:
                return []
            raise ProviderError(f"PayPal capture {checkout_ref}: {sorted(i for i in issues if i)}")
        return captures_of(body)

    async def _order_captures(self, order_id: str) -> list[ProviderPayment]:
        _, order = await self._call("GET", f"/v2/checkout/orders/{order_id}")
        return captures_of(order)

    async def get_payment(self, *, payment_id: str) -> ProviderPayment:
        _, capture = await self._call("GET", f"/v2/payments/captures/{payment_id}")
        return payment_from_capture(capture)

    async def payments_for(self, *, checkout_ref: str, invoice: CheckoutInvoice) -> list[ProviderPayment]:
        """Reconciliation: an order approved whose return and webhook were both lost is captured here."""
        _, order = await self._call("GET", f"/v2/checkout/orders/{checkout_ref}")
        if order.get("status") == "APPROVED":
            return await self.capture(
                checkout_ref=checkout_ref, invoice=invoice, idempotency_key=f"abono-capture-{checkout_ref}"
            )
        return captures_of(order)

    async def refund(self, *, payment_id: str, amount: Money, idempotency_key: str) -> str:
        _, refund = await self._call(
            "POST",
            f"/v2/payments/captures/{payment_id}/refund",
            request_id=idempotency_key,
            body={"amount": {"currency_code": amount.currency, "value": paypal_value(amount)}},
        )
        return str(refund["id"])

    async def verify_webhook(self, request: WebhookRequest) -> VerifiedEvent:
        """PayPal's verify-webhook-signature call with the transmission headers and the event as received, for this
        installation's webhook id; a transmission older or newer than the tolerance is refused (a replay)."""
        headers = {name: request.headers.get(name) for name in SIGNATURE_HEADERS}
        if not all(headers.values()):
            raise MissingSignature("PayPal's transmission headers are required: " + ", ".join(SIGNATURE_HEADERS))
        if not self.webhook_id:
            raise BadSignature("No PayPal webhook id is configured.")
        sent_at = _transmission_seconds(str(headers["paypal-transmission-time"]))
        if sent_at is None or abs(time.time() - sent_at) > self.tolerance_seconds:
            raise BadSignature("The transmission time is outside the tolerance.")
        try:
            text = request.body.decode("utf-8")
            event: dict[str, Any] = json.loads(text)
            external_id, event_type = str(event["id"]), str(event["event_type"])
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise BadSignature("The body is not a PayPal event.") from None
        try:
            _, verdict = await self._call(
                "POST",
                "/v1/notifications/verify-webhook-signature",
                body={
                    "auth_algo": headers["paypal-auth-algo"],
                    "cert_url": headers["paypal-cert-url"],
                    "transmission_id": headers["paypal-transmission-id"],
                    "transmission_sig": headers["paypal-transmission-sig"],
                    "transmission_time": headers["paypal-transmission-time"],
                    "webhook_id": self.webhook_id,
                    "webhook_event": event,
                },
                ok=(200,),
            )
        except ProviderError as exc:  # not verified, not refused: PayPal retries the delivery later
            raise ServiceUnavailable("PayPal could not verify the notification now.") from exc
        if verdict.get("verification_status") != "SUCCESS":
            raise BadSignature("PayPal did not verify the signature.")
        resource = event.get("resource") or {}
        return VerifiedEvent(
            provider=self.name,
            external_id=external_id,
            event_type=event_type,
            object_id=str(resource["id"]) if resource.get("id") else None,
            body=text,
        )

    async def parse_event(self, event: VerifiedEvent) -> EventEffect:
        """The event was verified by PayPal: its resource is the truth. An approved order is captured here when the
        client never came back to the panel."""
        resource: dict[str, Any] = json.loads(event.body).get("resource") or {}
        kind = event.event_type
        if kind in ("PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED"):
            return EventEffect(payment=payment_from_capture(resource))
        if kind == "CHECKOUT.ORDER.APPROVED" and event.object_id:
            unit = (resource.get("purchase_units") or [{}])[0]
            invoice = CheckoutInvoice(
                invoice_id=uuid.UUID(str(unit["custom_id"])),
                number=str(unit.get("reference_id", "")),
                payment_reference=str(unit.get("invoice_id", "")),
                amount=money_from_paypal(unit["amount"]),
            )
            found = await self.capture(
                checkout_ref=event.object_id, invoice=invoice, idempotency_key=f"abono-capture-{event.object_id}"
            )
            return EventEffect(payment=found[0]) if found else EventEffect(note="not approved yet")
        if kind == "VAULT.PAYMENT-TOKEN.DELETED" and event.object_id:  # B-21: the payer cancelled the agreement
            return EventEffect(method_update=MethodUpdate(provider=self.name, method_ref=event.object_id,
                                                          state="cancelled"))
        if kind == "CUSTOMER.DISPUTE.CREATED":
            disputed = (resource.get("disputed_transactions") or [{}])[0].get("seller_transaction_id")
            if disputed and resource.get("dispute_id"):
                return EventEffect(
                    dispute=Dispute(
                        provider=self.name, dispute_id=str(resource["dispute_id"]), payment_id=str(disputed)
                    )
                )
        return EventEffect()

"""MercadoPago through its official SDK (synchronous `requests`: every call runs in a thread).

The SDK's base URL is hard-coded, so `MercadoPagoHttpClient` (an SDK `HttpClient`) rewrites it to the configured
one (a local fake in tests). It also keeps money exact both ways: responses are parsed with `Decimal` for numbers,
and a request's `unit_price` / `amount` given as a decimal string is sent as a JSON number (the SDK's encoder knows no
`Decimal`). Checkout Pro preferences carry the invoice's payment reference as `external_reference` (B-19).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from decimal import Decimal
from typing import Any

import mercadopago
import requests
from mercadopago.config.request_options import RequestOptions
from mercadopago.http.http_client import HttpClient

from abono.money import Money
from billing.config import BillingSettings
from billing.payments.provider import (
    Checkout,
    CheckoutInvoice,
    Dispute,
    EventEffect,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
    VerifiedEvent,
    WebhookRequest,
)
from billing.payments.verify import verify_mercadopago

SDK_BASE_URL = "https://api.mercadopago.com"
_NUMBER_FIELDS = re.compile(r'"(unit_price|amount|transaction_amount)": "(-?\d+(?:\.\d+)?)"')
_STATUS = {
    "approved": ProviderPaymentStatus.APPROVED,
    "rejected": ProviderPaymentStatus.FAILED,
    "cancelled": ProviderPaymentStatus.FAILED,
    "refunded": ProviderPaymentStatus.REFUNDED,
    "charged_back": ProviderPaymentStatus.CHARGED_BACK,
    "in_mediation": ProviderPaymentStatus.CHARGED_BACK,  # B-17: a dispute counts as a chargeback
}
# Checkout Pro offers every payment type not excluded: cards and cash coupons ("ticket": Pago Fácil, Rapipago).
EXCLUDED_PAYMENT_TYPES = ["atm", "bank_transfer", "digital_currency", "prepaid_card"]


class MercadoPagoHttpClient(HttpClient):  # type: ignore[misc]
    """The SDK's transport, pointed at `base_url`, with exact decimals in and out."""

    def __init__(self, base_url: str, timeout_seconds: int = 20) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    def request(self, method: str, url: str, maxretries: Any = None, retry_on: Any = None,
                backoff_factor: Any = None, **kwargs: Any) -> dict[str, Any]:
        if url.startswith(SDK_BASE_URL):
            url = self.base_url + url[len(SDK_BASE_URL):]
        if isinstance(kwargs.get("data"), str):
            kwargs["data"] = _NUMBER_FIELDS.sub(r'"\1": \2', kwargs["data"])
        kwargs["timeout"] = self.timeout_seconds
        with requests.Session() as session:
            answer = session.request(method, url, **kwargs)
        body = json.loads(answer.text, parse_float=Decimal) if answer.content else None
        return {"status": answer.status_code, "response": body}


def decimal_text(money: Money) -> str:
    """Major units as MercadoPago wants them, e.g. "1500.50" (COP: never a fraction, which it rejects)."""
    return f"{money.to_decimal():f}"


def payment_from_api(body: dict[str, Any]) -> ProviderPayment:
    metadata = body.get("metadata") or {}
    raw_invoice = metadata.get("invoice_id")
    amount = Money.from_decimal(Decimal(str(body.get("transaction_amount", 0))), str(body["currency_id"]))
    return ProviderPayment(provider="mercadopago", payment_id=str(body["id"]),
                           status=_STATUS.get(str(body.get("status")), ProviderPaymentStatus.PENDING),
                           amount=amount, invoice_id=uuid.UUID(str(raw_invoice)) if raw_invoice else None,
                           reference=body.get("external_reference"))


class MercadoPagoProvider:
    name = "mercadopago"

    def __init__(self, settings: BillingSettings) -> None:
        self.access_token = settings.mercadopago_access_token
        self.sdk = mercadopago.SDK(self.access_token, http_client=MercadoPagoHttpClient(settings.mercadopago_api_url))
        self.return_url = settings.payments_public_url.rstrip("/")
        self.webhook_secret = settings.mercadopago_webhook_secret
        self.tolerance_seconds = settings.webhook_tolerance_seconds

    @classmethod
    def from_settings(cls, settings: BillingSettings) -> MercadoPagoProvider | None:
        """None without an access token: MercadoPago is not offered."""
        return cls(settings) if settings.mercadopago_access_token else None

    async def verify_webhook(self, request: WebhookRequest) -> VerifiedEvent:
        query = request.query
        return verify_mercadopago(
            body=request.body, signature=request.headers.get("x-signature"),
            request_id=request.headers.get("x-request-id"), data_id=query.get("data.id") or query.get("id"),
            event_type=query.get("type") or query.get("topic"), secret=self.webhook_secret,
            tolerance=self.tolerance_seconds)

    async def parse_event(self, event: VerifiedEvent) -> EventEffect:
        """The body is not signed: only the signed `data.id` is trusted, the payment is read from the API."""
        if event.event_type not in ("payment", "payment.created", "payment.updated") or not event.object_id:
            return EventEffect()
        payment = await self.get_payment(payment_id=event.object_id)
        if payment.status == ProviderPaymentStatus.CHARGED_BACK:
            return EventEffect(dispute=Dispute(provider=self.name, dispute_id=f"payment:{payment.payment_id}",
                                               payment_id=payment.payment_id))
        return EventEffect(payment=payment)

    async def capture(self, *, checkout_ref: str, invoice: CheckoutInvoice, idempotency_key: str
                      ) -> list[ProviderPayment]:
        """Checkout Pro captures by itself: the preference's payments."""
        return await self.payments_for(checkout_ref=checkout_ref, invoice=invoice)

    def _options(self, idempotency_key: str) -> RequestOptions:
        return RequestOptions(access_token=self.access_token, custom_headers={"x-idempotency-key": idempotency_key})

    @staticmethod
    def _ok(result: dict[str, Any], what: str) -> Any:
        if not 200 <= int(result["status"]) < 300:
            raise ProviderError(f"MercadoPago {what}: HTTP {result['status']}: {result.get('response')}")
        return result["response"]

    async def create_checkout(self, *, invoice: CheckoutInvoice, idempotency_key: str) -> Checkout:
        preference = {
            "items": [{"id": invoice.number, "title": f"Factura {invoice.number}", "quantity": 1,
                       "currency_id": invoice.amount.currency, "unit_price": decimal_text(invoice.amount)}],
            "external_reference": invoice.payment_reference,
            "metadata": {"invoice_id": str(invoice.invoice_id)},
            "payment_methods": {"excluded_payment_types": [{"id": t} for t in EXCLUDED_PAYMENT_TYPES],
                                "installments": 1},
            "back_urls": {"success": invoice.back_url(self.return_url, paid="1"),
                          "failure": invoice.back_url(self.return_url),
                          "pending": invoice.back_url(self.return_url)},
        }
        if invoice.client_email:
            preference["payer"] = {"email": invoice.client_email}
        result = await asyncio.to_thread(self.sdk.preference().create, preference, self._options(idempotency_key))
        body = self._ok(result, "preference")
        return Checkout(provider_ref=str(body["id"]), redirect_url=str(body["init_point"]))

    async def get_payment(self, *, payment_id: str) -> ProviderPayment:
        result = await asyncio.to_thread(self.sdk.payment().get, payment_id)
        return payment_from_api(self._ok(result, "payment"))

    async def payments_for(self, *, checkout_ref: str, invoice: CheckoutInvoice) -> list[ProviderPayment]:
        result = await asyncio.to_thread(self.sdk.payment().search, {"external_reference": invoice.payment_reference})
        return [payment_from_api(p) for p in self._ok(result, "payment search").get("results", [])]

    async def refund(self, *, payment_id: str, amount: Money, idempotency_key: str) -> str:
        result = await asyncio.to_thread(self.sdk.refund().create, payment_id, {"amount": decimal_text(amount)},
                                         self._options(idempotency_key))
        return str(self._ok(result, "refund")["id"])

"""Pagos360 (Argentina) through its REST API over httpx: Pagos360 has no Python SDK (FIELD-NOTES).

Shapes follow Pagos360's own PHP SDK (`pagos360/sdk-php`): resources `adhesion` (CBU mandate), `card-adhesion`,
`debit-request` (a debit on a CBU adhesion), `card-debit-request` and `payment-request` (a one-off checkout); a write
wraps its fields in a block named after the resource (`{"debit_request": {...}}`), answers 201, a cancel is
`PUT /<resource>/<id>/cancel`, dates are `dd-mm-YYYY`, amounts JSON numbers in pesos, `Authorization: Bearer <key>`.
States: adhesions `pending_to_sign` → `signed` | `canceled`; requests `pending` → `paid` | `rejected` | `expired` |
`canceled` | `reverted` (a reversal: a chargeback, B-17).

Our references carry the resource: `debit-request-123` is the payment id (payment key `pagos360:debit-request-123`),
`adhesion-45` / `card-adhesion-46` the mandate ref. A debit's `external_reference` is the invoice's payment reference
(B-19), its `metadata` the invoice id.

Webhooks: Pagos360 does not sign its notifications; the URL registered at Pagos360 carries a secret token
(`?token=...`, BILLING_PAGOS360_WEBHOOK_TOKEN), compared in constant time: missing → 400, wrong → 401, nothing stored.
The body only names the entity (`entity_name`, `type`, `payload.id`, `payload.request_result_id`); its state is
always re-read from the API (like MercadoPago's unsigned bodies), so a forged body with a stolen token still cannot
mark anything paid that Pagos360 does not hold as paid."""

from __future__ import annotations

import hmac
import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from abono.money import Money
from billing.config import BillingSettings
from billing.payments.provider import (
    Checkout,
    CheckoutInvoice,
    Dispute,
    EventEffect,
    MethodUpdate,
    NewMandate,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
    VerifiedEvent,
    WebhookRequest,
)
from billing.payments.verify import BadSignature, MissingSignature

REQUEST_STATES = {
    "paid": ProviderPaymentStatus.APPROVED,
    "pending": ProviderPaymentStatus.PENDING,
    "rejected": ProviderPaymentStatus.FAILED,
    "expired": ProviderPaymentStatus.FAILED,
    "canceled": ProviderPaymentStatus.FAILED,
    "reverted": ProviderPaymentStatus.CHARGED_BACK,
}
ADHESION_STATES = {"pending_to_sign": "pending", "signed": "active", "canceled": "cancelled"}
# resource path → the block name its writes use and whether it is charged without the client (a debit).
REQUESTS = {
    "debit-request": "debit_request",
    "card-debit-request": "card_debit_request",
    "payment-request": "payment_request",
}
ADHESIONS = {"adhesion": "adhesion", "card-adhesion": "card_adhesion"}
ENTITY_PATHS = {block: path for path, block in {**REQUESTS, **ADHESIONS}.items()}
DEBIT_FOR = {"adhesion": "debit-request", "card-adhesion": "card-debit-request"}


def split_ref(ref: str, known: dict[str, str]) -> tuple[str, int]:
    """`card-debit-request-12` → ("card-debit-request", 12); refuses a resource not in `known`."""
    resource, _, number = ref.rpartition("-")
    if resource not in known or not number.isdigit():
        raise ProviderError(f"Not a Pagos360 reference: {ref!r}")
    return resource, int(number)


def dumps(body: dict[str, Any]) -> str:
    """JSON with `Decimal` as a plain JSON number ("1500.00", never a float on the way)."""
    marks: dict[str, str] = {}

    def mark(value: object) -> str:
        if isinstance(value, Decimal):
            key = f"@@dec{len(marks)}@@"
            marks[f'"{key}"'] = f"{value:f}"
            return key
        raise TypeError(f"not JSON: {type(value).__name__}")

    text = json.dumps(body, default=mark)
    for key, number in marks.items():
        text = text.replace(key, number)
    return text


def pesos(money: Money) -> Decimal:
    if money.currency != "ARS":
        raise ProviderError(f"Pagos360 collects ARS only, not {money.currency}")  # B-20
    return money.to_decimal()


def ddmmyyyy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def payment_from(resource: str, body: dict[str, Any]) -> ProviderPayment:
    """A debit or payment request as a provider payment; a debit is an automatic charge (B-21)."""
    metadata = body.get("metadata") or {}
    raw_invoice = metadata.get("invoice_id") if isinstance(metadata, dict) else None
    amount = body.get("first_total", body.get("amount"))
    results = body.get("request_result") or []
    comment = next((str(r["state_comment"]) for r in reversed(results) if r.get("state_comment")), None)
    state = str(body.get("state", "pending"))
    return ProviderPayment(
        provider="pagos360",
        payment_id=f"{resource}-{body['id']}",
        status=REQUEST_STATES.get(state, ProviderPaymentStatus.PENDING),
        amount=Money.from_decimal(Decimal(str(amount)), "ARS"),
        invoice_id=uuid.UUID(str(raw_invoice)) if raw_invoice else None,
        reference=body.get("external_reference"),
        automatic=resource != "payment-request",
        failure_reason=comment or (state if state not in ("paid", "pending") else None),
    )


class Pagos360Provider:
    name = "pagos360"

    def __init__(self, settings: BillingSettings, timeout_seconds: float = 20) -> None:
        self.api_key = settings.pagos360_api_key
        self.api_url = settings.pagos360_api_url.rstrip("/")
        self.return_url = settings.payments_public_url.rstrip("/")
        self.webhook_token = settings.pagos360_webhook_token
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_settings(cls, settings: BillingSettings) -> Pagos360Provider | None:
        """None without an API key: Pagos360 is not offered."""
        return cls(settings) if settings.pagos360_api_key else None

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = dumps(body).encode()
        try:
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as http:
                answer = await http.request(
                    method, f"{self.api_url}{path}", content=content, params=params, headers=headers
                )
        except httpx.HTTPError as exc:
            raise ProviderError(f"Pagos360 {path}: {exc!r}") from exc
        if answer.status_code not in ok:
            raise ProviderError(f"Pagos360 {method} {path}: HTTP {answer.status_code}: {answer.text[:500]}")
        return json.loads(answer.text, parse_float=Decimal) if answer.content else {}

    # --- mandates (adhesiones) and debits: `billing.direct_debit.protocol.TakesMandates` ----------------------
    async def create_mandate(self, mandate: NewMandate) -> tuple[str, str, str]:
        """A CBU (`kind="cbu"`) or card adhesion; (mandate ref, our state, label for the client). The card number
        goes to Pagos360 only; Pagos360 answers its last four digits."""
        common = {
            "adhesion_holder_name": mandate.holder_name,
            "email": mandate.email,
            "description": mandate.description,
            "external_reference": mandate.reference,
            "metadata": {"client_id": str(mandate.client_id)},
        }
        if mandate.kind == "cbu":
            fields = {
                **common,
                "short_description": mandate.description[:10],
                "cbu_number": mandate.cbu,
                "cbu_holder_name": mandate.holder_name,
                "cbu_holder_id_number": int(mandate.holder_tax_id),
            }
            created = await self._call("POST", "/adhesion", body={"adhesion": fields})
            label = f"CBU ···{str(created.get('cbu_number', mandate.cbu))[-4:]}"
            if created.get("bank"):
                label = f"{created['bank']} {label}"
            return f"adhesion-{created['id']}", ADHESION_STATES.get(str(created.get("state")), "pending"), label
        fields = {**common, "card_number": mandate.card_number, "card_holder_name": mandate.holder_name}
        created = await self._call("POST", "/card-adhesion", body={"card_adhesion": fields})
        label = f"{created.get('card') or 'Tarjeta'} ···{created.get('last_four_digits') or mandate.card_number[-4:]}"
        return f"card-adhesion-{created['id']}", ADHESION_STATES.get(str(created.get("state")), "pending"), label

    async def mandate_state(self, *, mandate_ref: str) -> tuple[str, str]:
        """(our state, Pagos360's comment) of an adhesion as Pagos360 holds it now."""
        resource, number = split_ref(mandate_ref, ADHESIONS)
        found = await self._call("GET", f"/{resource}/{number}")
        return ADHESION_STATES.get(str(found.get("state")), "pending"), str(found.get("state_comment") or "")

    async def cancel_mandate(self, *, mandate_ref: str) -> None:
        resource, number = split_ref(mandate_ref, ADHESIONS)
        await self._call("PUT", f"/{resource}/{number}/cancel", body={})

    async def cancel_debit(self, *, debit_ref: str) -> None:
        resource, number = split_ref(debit_ref, REQUESTS)
        await self._call("PUT", f"/{resource}/{number}/cancel", body={})

    async def request_debit(self, *, mandate_ref: str, invoice: CheckoutInvoice, debit_on: date) -> str:
        """A debit request for the invoice's amount on `debit_on`, on the adhesion; one that already exists for the
        invoice's reference (a retry after a lost answer) is returned instead of a second one."""
        existing = await self.find_debit(mandate_ref=mandate_ref, reference=invoice.payment_reference)
        if existing is not None:
            return existing
        adhesion, number = split_ref(mandate_ref, ADHESIONS)
        resource = DEBIT_FOR[adhesion]
        metadata = {"invoice_id": str(invoice.invoice_id), "invoice_number": invoice.number}
        if resource == "debit-request":
            fields: dict[str, Any] = {
                "adhesion": number,
                "first_due_date": ddmmyyyy(debit_on),
                "first_total": pesos(invoice.amount),
                "description": f"Factura {invoice.number}",
                "external_reference": invoice.payment_reference,
                "metadata": metadata,
            }
        else:
            fields = {
                "card_adhesion": number,
                "amount": pesos(invoice.amount),
                "month": debit_on.month,
                "year": debit_on.year,
                "description": f"Factura {invoice.number}",
                "external_reference": invoice.payment_reference,
                "metadata": metadata,
            }
        created = await self._call("POST", f"/{resource}", body={REQUESTS[resource]: fields})
        return f"{resource}-{created['id']}"

    async def find_debit(self, *, mandate_ref: str, reference: str) -> str | None:
        adhesion, _ = split_ref(mandate_ref, ADHESIONS)
        resource = DEBIT_FOR[adhesion]
        found = await self._call("GET", f"/{resource}", params={"external_reference": reference})
        live = [r for r in found.get("data", []) if r.get("state") not in ("canceled",)]
        return f"{resource}-{live[0]['id']}" if live else None

    # --- PaymentProvider --------------------------------------------------------------------------------
    async def create_checkout(self, *, invoice: CheckoutInvoice, idempotency_key: str) -> Checkout:
        """A one-off Solicitud de Pago (Pago Fácil, Rapipago, cards) for the invoice; Pagos360 has no idempotency
        header, so a request already made for the invoice's reference is reused."""
        listed = await self._call("GET", "/payment-request", params={"external_reference": invoice.payment_reference})
        live = [r for r in listed.get("data", []) if r.get("state") == "pending" and r.get("checkout_url")]
        if live:
            return Checkout(provider_ref=f"payment-request-{live[0]['id']}", redirect_url=str(live[0]["checkout_url"]))
        fields = {
            "description": f"Factura {invoice.number}",
            "first_due_date": ddmmyyyy(date.today()),
            "first_total": pesos(invoice.amount),
            "payer_name": invoice.client_email or invoice.number,
            "external_reference": invoice.payment_reference,
            "metadata": {"invoice_id": str(invoice.invoice_id)},
            "back_url_success": invoice.back_url(self.return_url, paid="1", provider="pagos360"),
            "back_url_pending": invoice.back_url(self.return_url, provider="pagos360"),
            "back_url_rejected": invoice.back_url(self.return_url, provider="pagos360"),
        }
        if invoice.client_email:
            fields["payer_email"] = invoice.client_email
        created = await self._call("POST", "/payment-request", body={"payment_request": fields})
        return Checkout(provider_ref=f"payment-request-{created['id']}", redirect_url=str(created["checkout_url"]))

    async def capture(
        self, *, checkout_ref: str, invoice: CheckoutInvoice, idempotency_key: str
    ) -> list[ProviderPayment]:
        """Pagos360 collects by itself: report what it holds."""
        return await self.payments_for(checkout_ref=checkout_ref, invoice=invoice)

    async def get_payment(self, *, payment_id: str) -> ProviderPayment:
        resource, number = split_ref(payment_id, REQUESTS)
        return payment_from(resource, await self._call("GET", f"/{resource}/{number}"))

    async def payments_for(self, *, checkout_ref: str, invoice: CheckoutInvoice) -> list[ProviderPayment]:
        """Reconciliation of a payment or debit request (a lost webhook shows up here); pending: nothing yet."""
        payment = await self.get_payment(payment_id=checkout_ref)
        return [] if payment.status == ProviderPaymentStatus.PENDING else [payment]

    async def refund(self, *, payment_id: str, amount: Money, idempotency_key: str) -> str:
        """Pagos360's API has no refund resource: money collected goes back by transfer, outside it (B-15)."""
        raise ProviderError("Pagos360 has no refund API; refund this payment by bank transfer.")

    async def verify_webhook(self, request: WebhookRequest) -> VerifiedEvent:
        token = request.query.get("token")
        if not token:
            raise MissingSignature("The webhook URL's token is missing.")
        if not self.webhook_token or not hmac.compare_digest(token.encode(), self.webhook_token.encode()):
            raise BadSignature("The webhook token does not match.")
        try:
            text = request.body.decode("utf-8")
            event: dict[str, Any] = json.loads(text)
            entity, kind = str(event["entity_name"]), str(event.get("type", ""))
            payload = event["payload"]
            entity_id = int(payload["id"])
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise MissingSignature("The body is not a Pagos360 notification.") from None
        if entity not in ENTITY_PATHS:
            raise MissingSignature(f"Unknown Pagos360 entity {entity!r}.")
        # One stored event per result (a request has one result per try) or per state change of an adhesion.
        result = payload.get("request_result_id")
        external_id = f"{entity}:{entity_id}:{result if result else kind}"
        return VerifiedEvent(
            provider=self.name,
            external_id=external_id,
            event_type=f"{entity}.{kind}",
            object_id=f"{ENTITY_PATHS[entity]}-{entity_id}",
            body=text,
        )

    async def parse_event(self, event: VerifiedEvent) -> EventEffect:
        """The body is not signed: the entity is read back from Pagos360 and its state is the truth."""
        if not event.object_id:
            return EventEffect()
        resource, _ = event.object_id.rsplit("-", 1)
        if resource in ADHESIONS:
            state, comment = await self.mandate_state(mandate_ref=event.object_id)
            return EventEffect(
                method_update=MethodUpdate(provider=self.name, method_ref=event.object_id, state=state, detail=comment),
                note=f"mandate {state}",
            )
        payment = await self.get_payment(payment_id=event.object_id)
        if payment.status == ProviderPaymentStatus.CHARGED_BACK:  # a reversal of a collected debit (B-17)
            return EventEffect(
                dispute=Dispute(
                    provider=self.name, dispute_id=f"{event.object_id}-reverted", payment_id=event.object_id
                )
            )
        return EventEffect(payment=payment)

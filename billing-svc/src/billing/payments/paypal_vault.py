"""PayPal's saved method (B-21, issue #15 item 2): the payer's PayPal account vaulted for merchant-initiated
payments, through the Payment Method Tokens API v3 and Orders v2 (REST over httpx, as `paypal_provider`).

Saving: a setup token (`usage_type: MERCHANT`, keyed) whose `approve` link is PayPal's page where the payer logs in
and agrees to future payments; back from it, the approved setup token becomes a payment token (keyed by the setup
token, so asking twice gives the same one). Charging: an order with `payment_source.paypal.vault_id` and the
attempt's PayPal-Request-Id, completed and captured at once without the payer; PayPal's 422 issues are the
declines (`INSTRUMENT_DECLINED`: retried on schedule; `PAYER_ACTION_REQUIRED` or a token PayPal no longer accepts:
the payer must act, never a silent loop). Stopping auto-pay deletes the payment token: the payer's agreement is
cancelled at PayPal too (`forget_when_stopped`), which PayPal's users otherwise do from their account settings.

A setup the payer abandons (never agrees, or cancels back to us) is not notified: PayPal's vault webhooks
(`VAULT.PAYMENT-TOKEN.CREATED`, `.DELETED`, `.DELETION-INITIATED`) are about payment tokens only, and the setup token
is temporary (its approval lasts 3 hours). Once expired PayPal no longer knows it (404 on the setup token), so
`finish_saving` says so (`SetupExpired`) the next time the client's page asks about it.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from abono.money import Money
from billing.payments.provider import (
    ChargeRefused,
    CheckoutInvoice,
    MethodSetup,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
    SavedMethod,
    SetupExpired,
)

# PayPal's 422 issues on a vaulted charge that waiting will not cure: the payer must act.
ACTION_ISSUES = frozenset({"PAYER_ACTION_REQUIRED", "PAYMENT_SOURCE_CANNOT_BE_USED", "PAYEE_NOT_ENABLED_FOR_VAULT"})


class PayPalVault:
    """The `SavesMethods` half of `PayPalProvider`, which supplies `name`, `_call`, `_captured` and `_amount`."""

    name: str
    forget_when_stopped = True  # the vaulted agreement is cancelled at PayPal when auto-pay stops

    async def _call(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                    request_id: str | None = None, ok: tuple[int, ...] = (200, 201)) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def _captured(self, order: dict[str, Any]) -> list[ProviderPayment]:
        raise NotImplementedError

    def _amount(self, money: Money) -> str:
        raise NotImplementedError

    async def start_saving(self, *, client_id: uuid.UUID, email: str | None, customer_ref: str | None,
                           return_url: str, idempotency_key: str) -> MethodSetup:
        """A setup token for the payer's PayPal account; its `approve` link is where the payer agrees."""
        source: dict[str, Any] = {
            "description": "Pagos automáticos de renovaciones / automatic renewal payments",
            "usage_type": "MERCHANT",
            "customer_type": "CONSUMER",
            "permit_multiple_payment_tokens": True,
            "experience_context": {"shipping_preference": "NO_SHIPPING", "return_url": return_url,
                                   "cancel_url": return_url},
        }
        body: dict[str, Any] = {"payment_source": {"paypal": source}}
        if customer_ref:
            body["customer"] = {"id": customer_ref}
        _, token = await self._call("POST", "/v3/vault/setup-tokens", body=body, request_id=idempotency_key)
        link = next((x["href"] for x in token.get("links", []) if x.get("rel") == "approve"), None)
        if not link:
            raise ProviderError(f"PayPal setup token {token.get('id')} has no approval link")
        return MethodSetup(setup_ref=str(token["id"]), redirect_url=str(link),
                           customer_ref=str((token.get("customer") or {}).get("id") or customer_ref or ""))

    async def finish_saving(self, *, setup_ref: str) -> SavedMethod | None:
        found, setup = await self._call("GET", f"/v3/vault/setup-tokens/{setup_ref}", ok=(200, 404))
        if found == 404:
            raise SetupExpired(f"PayPal setup token {setup_ref} expired unapproved")
        if setup.get("status") not in ("APPROVED", "VAULTED"):
            return None  # not approved (yet): the payer cancelled or has not finished
        _, token = await self._call(
            "POST", "/v3/vault/payment-tokens", request_id=f"abono-vault-{setup_ref}",
            body={"payment_source": {"token": {"id": setup_ref, "type": "SETUP_TOKEN"}}})
        account = (token.get("payment_source") or {}).get("paypal") or {}
        label = f"PayPal ({account['email_address']})" if account.get("email_address") else "PayPal"
        return SavedMethod(provider=self.name, customer_ref=str((token.get("customer") or {}).get("id") or ""),
                           method_ref=str(token["id"]), label=label)

    async def charge_saved(self, *, method: SavedMethod, invoice: CheckoutInvoice,
                           idempotency_key: str) -> ProviderPayment:
        order = {
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": invoice.number,
                "description": f"Factura {invoice.number}",
                "custom_id": str(invoice.invoice_id),
                "invoice_id": invoice.payment_reference,
                "amount": {"currency_code": invoice.amount.currency, "value": self._amount(invoice.amount)},
            }],
            "payment_source": {"paypal": {"vault_id": method.method_ref}},
        }
        status, body = await self._call("POST", "/v2/checkout/orders", body=order, request_id=idempotency_key,
                                        ok=(200, 201, 422))
        if status == 422:
            issue = next((str(d.get("issue")) for d in body.get("details", []) if d.get("issue")), "DECLINED")
            raise ChargeRefused(issue.lower(), str(body.get("message") or issue),
                                action_required=issue in ACTION_ISSUES)
        captured = self._captured(body)
        if not captured:
            raise ProviderError(f"PayPal order {body.get('id')} has no capture (status {body.get('status')})")
        payment = dataclasses.replace(captured[0], automatic=True)
        if payment.status == ProviderPaymentStatus.FAILED:
            raise ChargeRefused("instrument_declined", "PayPal declined the capture.", payment_id=payment.payment_id)
        return payment

    async def forget_method(self, *, method: SavedMethod) -> None:
        """Delete the payment token: the payer's agreement with this merchant ends at PayPal (gone already: fine)."""
        await self._call("DELETE", f"/v3/vault/payment-tokens/{method.method_ref}", ok=(200, 204, 404))

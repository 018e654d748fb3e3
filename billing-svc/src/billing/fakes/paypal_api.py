"""A local PayPal speaking the REST API billing calls: the OAuth token, Orders v2 (create, get, capture), Payments v2
(get a capture, refund it), Webhooks v1 verify-webhook-signature, the vault v3 (`billing.fakes.paypal_vault`), each
write replayed per PayPal-Request-Id; webhook
deliveries with PayPal's transmission headers; and (with a public URL and a webhook target) the hosted approval page
of the sandbox, whose "Pay" approves the order, sends CHECKOUT.ORDER.APPROVED and returns the browser to the return
URL with `token=<order id>`, as PayPal does.

A transmission is signed here with HMAC-SHA256 (a stand-in for PayPal's certificate) over
`transmission id|time|webhook id|CRC32 of the event`, so only verify-webhook-signature of this fake can tell a
delivery it made from a forged or altered one, as with PayPal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import uuid
import zlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from abono.money import Money
from billing.fakes.checkout import WebhookTarget, checkout_page, not_found_page, send_webhook
from billing.fakes.paypal_vault import PayPalVault

_ids = itertools.count(10_000)
SIGNING_KEY = b"fake-paypal-transmission-key"


def _id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}{uuid.uuid4().hex[:8].upper()}"


def _error(status: int, name: str, issue: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"name": name, "message": name.replace("_", " ").lower(), "debug_id": uuid.uuid4().hex[:13]}
    if issue:
        body["details"] = [{"issue": issue, "description": issue.replace("_", " ").lower()}]
    return JSONResponse(body, status_code=status)


def _signed_text(transmission_id: str, transmission_time: str, webhook_id: str, event: dict[str, Any]) -> bytes:
    crc = zlib.crc32(json.dumps(event).encode())
    return f"{transmission_id}|{transmission_time}|{webhook_id}|{crc}".encode()


def paypal_headers(
    event: dict[str, Any], webhook_id: str, *, transmission_time: str | None = None, transmission_id: str | None = None
) -> dict[str, str]:
    """The transmission headers PayPal sends with an event delivered to `webhook_id`."""
    sent = transmission_time or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tid = transmission_id or str(uuid.uuid4())
    signature = hmac.new(SIGNING_KEY, _signed_text(tid, sent, webhook_id, event), hashlib.sha256).digest()
    return {
        "paypal-transmission-id": tid,
        "paypal-transmission-time": sent,
        "paypal-transmission-sig": base64.b64encode(signature).decode(),
        "paypal-cert-url": "https://api.paypal.test/v1/notifications/certs/CERT-fake",
        "paypal-auth-algo": "SHA256withRSA",
        "Content-Type": "application/json",
    }


class FakePayPal:
    """Orders, captures and refunds in memory; `tokens` are the access tokens it issued."""

    def __init__(
        self,
        *,
        client_id: str = "fake-client",
        client_secret: str = "fake-secret",  # noqa: S107 - a fake's
        webhook_id: str = "WH-FAKE",
        public_url: str | None = None,
        webhook: WebhookTarget | None = None,
    ) -> None:
        self.client_id, self.client_secret, self.webhook_id = client_id, client_secret, webhook_id
        self.public_url = public_url
        self.webhook = webhook
        self.orders: dict[str, dict[str, Any]] = {}
        self.captures: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.replays: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}  # (path, PayPal-Request-Id)
        self.calls: list[tuple[str, str, str | None]] = []  # (method, path, PayPal-Request-Id)
        self.vault = PayPalVault(self)  # B-21: setup and payment tokens, orders paid with a vaulted token
        self.app = Starlette(
            routes=[
                Route("/v1/oauth2/token", self.token, methods=["POST"]),
                Route("/v2/checkout/orders", self.create_order, methods=["POST"]),
                Route("/v2/checkout/orders/{oid}", self.get_order, methods=["GET"]),
                Route("/v2/checkout/orders/{oid}/capture", self.capture_order, methods=["POST"]),
                Route("/v2/payments/captures/{cid}", self.get_capture, methods=["GET"]),
                Route("/v2/payments/captures/{cid}/refund", self.refund_capture, methods=["POST"]),
                Route("/v1/notifications/verify-webhook-signature", self.verify_signature, methods=["POST"]),
                Route("/checkoutnow", self.hosted_page, methods=["GET"]),
                Route("/checkoutnow/pay", self.hosted_pay, methods=["POST"]),
                Route("/checkoutnow/decline", self.hosted_decline, methods=["POST"]),
                *self.vault.routes(),
            ]
        )

    # --- the REST API ------------------------------------------------------------------------------------
    async def token(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = (await request.body()).decode()
        if request.headers.get("authorization") != f"Basic {expected}" or "grant_type=client_credentials" not in form:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client Authentication failed"}, status_code=401
            )
        token = f"A21AA{uuid.uuid4().hex}"
        self.tokens.add(token)
        return JSONResponse(
            {
                "scope": "https://uri.paypal.com/services/payments/payment",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-FAKE",
                "expires_in": 32400,
            }
        )

    def _authorized(self, request: Request) -> str | None:
        """The request id of an authorized call, logged; raises nothing, the caller answers 401."""
        self.calls.append((request.method, request.url.path, request.headers.get("paypal-request-id")))
        auth = request.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None

    async def _write(self, request: Request, make: Any) -> JSONResponse:
        """A write: 401 without a token we issued; the same PayPal-Request-Id on the same path answers as before."""
        if self._authorized(request) not in self.tokens:
            return _error(401, "AUTHENTICATION_FAILURE")
        key = request.headers.get("paypal-request-id")
        if key and (request.url.path, key) in self.replays:
            status, body = self.replays[(request.url.path, key)]
            return JSONResponse(body, status_code=status)
        raw = await request.body()
        answer: JSONResponse = await make(request, json.loads(raw, parse_float=Decimal) if raw else {})
        if key and answer.status_code < 300:
            self.replays[(request.url.path, key)] = (answer.status_code, json.loads(bytes(answer.body)))
        return answer

    async def create_order(self, request: Request) -> JSONResponse:
        async def make(req: Request, body: dict[str, Any]) -> JSONResponse:
            vault_id = body.get("payment_source", {}).get("paypal", {}).get("vault_id")
            if vault_id:  # merchant-initiated, with the payer's vaulted agreement: no approval page
                return await self.vault.charge(req, body, str(vault_id))
            unit = body["purchase_units"][0]
            context = body.get("payment_source", {}).get("paypal", {}).get("experience_context", {})
            oid = _id("5O")
            base = (self.public_url or "https://www.paypal.test").rstrip("/")
            order = {
                "id": oid,
                "intent": body["intent"],
                "status": "PAYER_ACTION_REQUIRED",
                "purchase_units": [
                    {
                        k: unit[k]
                        for k in ("reference_id", "description", "custom_id", "invoice_id", "amount")
                        if k in unit
                    }
                ],
                "experience_context": context,
                "links": [{"href": f"{base}/checkoutnow?token={oid}", "rel": "payer-action", "method": "GET"}],
            }
            self.orders[oid] = order
            return JSONResponse(order, status_code=200)

        return await self._write(request, make)

    async def get_order(self, request: Request) -> JSONResponse:
        if self._authorized(request) not in self.tokens:
            return _error(401, "AUTHENTICATION_FAILURE")
        order = self.orders.get(request.path_params["oid"])
        return JSONResponse(order) if order else _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")

    async def capture_order(self, request: Request) -> JSONResponse:
        async def make(req: Request, _: dict[str, Any]) -> JSONResponse:
            order = self.orders.get(req.path_params["oid"])
            if order is None:
                return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
            if order["status"] == "COMPLETED":
                return _error(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED")
            if order["status"] != "APPROVED":
                return _error(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED")
            unit = order["purchase_units"][0]
            capture = {
                "id": _id("3C"),
                "status": "COMPLETED",
                "amount": unit["amount"],
                "custom_id": unit.get("custom_id"),
                "invoice_id": unit.get("invoice_id"),
                "final_capture": True,
                "supplementary_data": {"related_ids": {"order_id": order["id"]}},
            }
            self.captures[capture["id"]] = capture
            unit["payments"] = {"captures": [capture]}
            order["status"] = "COMPLETED"
            return JSONResponse(order, status_code=201)

        return await self._write(request, make)

    async def get_capture(self, request: Request) -> JSONResponse:
        if self._authorized(request) not in self.tokens:
            return _error(401, "AUTHENTICATION_FAILURE")
        capture = self.captures.get(request.path_params["cid"])
        return JSONResponse(capture) if capture else _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")

    async def refund_capture(self, request: Request) -> JSONResponse:
        async def make(req: Request, body: dict[str, Any]) -> JSONResponse:
            capture = self.captures.get(req.path_params["cid"])
            if capture is None:
                return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
            amount = body.get("amount") or capture["amount"]
            refund = {
                "id": _id("1R"),
                "status": "COMPLETED",
                "amount": amount,
                "invoice_id": capture.get("invoice_id"),
                "capture_id": capture["id"],
            }
            self.refunds[refund["id"]] = refund
            capture["status"] = "REFUNDED" if amount == capture["amount"] else "PARTIALLY_REFUNDED"
            return JSONResponse(refund, status_code=201)

        return await self._write(request, make)

    async def verify_signature(self, request: Request) -> JSONResponse:
        if self._authorized(request) not in self.tokens:
            return _error(401, "AUTHENTICATION_FAILURE")
        body = json.loads(await request.body())
        try:
            expected = hmac.new(
                SIGNING_KEY,
                _signed_text(
                    body["transmission_id"], body["transmission_time"], body["webhook_id"], body["webhook_event"]
                ),
                hashlib.sha256,
            ).digest()
            given = base64.b64decode(body["transmission_sig"], validate=True)
        except (KeyError, ValueError, TypeError):
            return _error(400, "VALIDATION_ERROR", "INVALID_PARAMETER_SYNTAX")
        ok = body["webhook_id"] == self.webhook_id and hmac.compare_digest(expected, given)
        return JSONResponse({"verification_status": "SUCCESS" if ok else "FAILURE"})

    # --- what happens at PayPal when the client approves -------------------------------------------------
    def approve(self, order_id: str) -> None:
        self.orders[order_id]["status"] = "APPROVED"

    def event(self, event_type: str, resource: dict[str, Any]) -> dict[str, Any]:
        """A webhook event as PayPal builds it (a new id each time)."""
        return {
            "id": _id("WH-"),
            "event_version": "1.0",
            "create_time": datetime.now(UTC).isoformat(),
            "resource_type": event_type.split(".")[1].lower(),
            "event_type": event_type,
            "summary": event_type,
            "resource": resource,
        }

    async def deliver(self, event: dict[str, Any]) -> int:
        """Send an event to the webhook target as PayPal does; the platform's status code."""
        assert self.webhook is not None
        return await send_webhook(self.webhook, body=json.dumps(event), headers=paypal_headers(event, self.webhook_id))

    # --- the hosted approval page (sandbox) -------------------------------------------------------------
    async def hosted_page(self, request: Request) -> Response:
        order = self.orders.get(request.query_params.get("token", ""))
        if order is None:
            return not_found_page("No such order.")
        unit = order["purchase_units"][0]
        amount = Money.from_decimal(Decimal(str(unit["amount"]["value"])), unit["amount"]["currency_code"])
        query = urlencode({"token": order["id"]})
        return checkout_page(
            provider="PayPal",
            description=unit.get("description") or "Pago",
            amount=amount,
            pay_action=f"/checkoutnow/pay?{query}",
            decline_action=f"/checkoutnow/decline?{query}",
            cancel_url=order["experience_context"].get("cancel_url"),
        )

    async def hosted_pay(self, request: Request) -> Response:
        """The payer approves: CHECKOUT.ORDER.APPROVED is sent and the browser goes back to the return URL, where
        the merchant captures."""
        order = self.orders.get(request.query_params.get("token", ""))
        if order is None:
            return not_found_page("No such order.")
        if order["status"] == "PAYER_ACTION_REQUIRED":
            self.approve(order["id"])
            if self.webhook is not None:
                await self.deliver(self.event("CHECKOUT.ORDER.APPROVED", order))
        return self._back(order, "return_url", PayerID="FAKEPAYER")

    async def hosted_decline(self, request: Request) -> Response:
        order = self.orders.get(request.query_params.get("token", ""))
        if order is None:
            return not_found_page("No such order.")
        return self._back(order, "cancel_url")

    @staticmethod
    def _back(order: dict[str, Any], which: str, **extra: str) -> Response:
        url = order["experience_context"].get(which)
        if not url:
            return not_found_page("The order has no return URL.")
        params = urlencode({"token": order["id"], **extra})
        return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{params}", status_code=303)

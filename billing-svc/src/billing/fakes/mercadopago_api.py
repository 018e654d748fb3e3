"""A local MercadoPago: preferences, payments and refunds as the SDK calls them, notifications signed exactly as
MercadoPago signs them, and (with a public URL and a webhook target) the hosted Checkout Pro page of the sandbox."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from abono.money import Money
from billing.fakes.checkout import WebhookTarget, checkout_page, not_found_page, send_webhook

_ids = itertools.count(500_000)


class FakeMercadoPago:
    """Preferences, payments (get, search by external_reference) and refunds; JSON amounts in major units.

    `public_url`: where a browser reaches this fake; preferences then point at its hosted page, whose buttons send
    signed notifications to `webhook`."""

    def __init__(self, *, public_url: str | None = None, webhook: WebhookTarget | None = None) -> None:
        self.public_url = public_url
        self.webhook = webhook
        self.preferences: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.raw_bodies: list[str] = []
        self.calls: list[tuple[str, str, str | None]] = []
        self.app = Starlette(routes=[
            Route("/checkout/preferences", self.create_preference, methods=["POST"]),
            Route("/v1/payments/search", self.search, methods=["GET"]),
            Route("/v1/payments/{pid}", self.get_payment, methods=["GET"]),
            Route("/v1/payments/{pid}/refunds", self.create_refund, methods=["POST"]),
            Route("/checkout/v1/redirect", self.hosted_page, methods=["GET"]),
            Route("/checkout/v1/pay", self.hosted_pay, methods=["POST"]),
            Route("/checkout/v1/decline", self.hosted_decline, methods=["POST"]),
        ])

    def _log(self, request: Request) -> str | None:
        key = request.headers.get("x-idempotency-key")
        self.calls.append((request.method, request.url.path, key))
        assert request.headers.get("authorization", "").startswith("Bearer ")
        return key

    async def create_preference(self, request: Request) -> JSONResponse:
        key = self._log(request)
        raw = (await request.body()).decode()
        self.raw_bodies.append(raw)
        if key and key in self.idempotency:
            return JSONResponse(self.idempotency[key], status_code=201)
        body = json.loads(raw, parse_float=Decimal)
        pref_id = f"123-pref-{next(_ids)}"
        item = body["items"][0]
        base = (self.public_url or "https://www.mercadopago.test").rstrip("/")
        preference = {"id": pref_id, "init_point": f"{base}/checkout/v1/redirect?pref_id={pref_id}",
                      "back_urls": body.get("back_urls", {}), "title": item.get("title", ""), "paid": None,
                      "external_reference": body["external_reference"], "metadata": body.get("metadata", {}),
                      "payment_methods": body.get("payment_methods", {}), "currency_id": item["currency_id"],
                      "unit_price": str(item["unit_price"])}
        self.preferences[pref_id] = preference
        if key:
            self.idempotency[key] = preference
        return JSONResponse(preference, status_code=201)

    async def get_payment(self, request: Request) -> JSONResponse:
        self._log(request)
        found = self.payments.get(request.path_params["pid"])
        return self._payment_json(found) if found else JSONResponse({"message": "not found"}, status_code=404)

    @staticmethod
    def _payment_json(payment: dict[str, Any]) -> JSONResponse:
        return _raw_json(_payment_text(payment))

    async def search(self, request: Request) -> JSONResponse:
        self._log(request)
        ref = request.query_params.get("external_reference")
        found = [p for p in self.payments.values() if p["external_reference"] == ref]
        parts = [_payment_text(p) for p in found]
        return _raw_json(f'{{"paging": {{"total": {len(found)}}}, "results": [{", ".join(parts)}]}}')

    async def create_refund(self, request: Request) -> JSONResponse:
        key = self._log(request)
        raw = (await request.body()).decode()
        self.raw_bodies.append(raw)
        if key and key in self.idempotency:
            return JSONResponse(self.idempotency[key], status_code=201)
        payment = self.payments.get(request.path_params["pid"])
        if payment is None:
            return JSONResponse({"message": "not found"}, status_code=404)
        body = json.loads(raw, parse_float=Decimal) if raw else {}
        refund = {"id": next(_ids), "payment_id": int(payment["id"]), "amount": str(body.get("amount")),
                  "status": "approved"}
        payment["status"] = "refunded"
        self.refunds[str(refund["id"])] = refund
        if key:
            self.idempotency[key] = refund
        return JSONResponse(refund, status_code=201)

    # --- what happens at MercadoPago when the client pays -------------------------------------------
    def pay(self, pref_id: str, status: str = "approved", payment_method_id: str = "pagofacil") -> str:
        pref = self.preferences[pref_id]
        pid = str(next(_ids) * 1000 + 7)
        self.payments[pid] = {"id": int(pid), "status": status, "transaction_amount": pref["unit_price"],
                              "currency_id": pref["currency_id"], "external_reference": pref["external_reference"],
                              "metadata": pref["metadata"], "payment_method_id": payment_method_id}
        return pid


    # --- the hosted Checkout Pro page (sandbox) -------------------------------------------------------
    async def hosted_page(self, request: Request) -> Response:
        pref = self.preferences.get(request.query_params.get("pref_id", ""))
        if pref is None:
            return not_found_page("No such preference.")
        amount = Money.from_decimal(Decimal(pref["unit_price"]), pref["currency_id"])
        query = urlencode({"pref_id": pref["id"]})
        return checkout_page(provider="Mercado Pago", description=pref["title"] or "Pago", amount=amount,
                             pay_action=f"/checkout/v1/pay?{query}", decline_action=f"/checkout/v1/decline?{query}",
                             cancel_url=pref["back_urls"].get("failure"))

    async def hosted_pay(self, request: Request) -> Response:
        return await self._settle(request, "approved", "success")

    async def hosted_decline(self, request: Request) -> Response:
        return await self._settle(request, "rejected", "failure")

    async def _settle(self, request: Request, status: str, back: str) -> Response:
        """A payment of the preference with this outcome and its notification; once one is approved, the page only
        returns to the success URL (a preference is paid once; a rejected card may be followed by another try)."""
        pref = self.preferences.get(request.query_params.get("pref_id", ""))
        if pref is None:
            return not_found_page("No such preference.")
        if pref["paid"] is None:
            pid = self.pay(pref["id"], status=status, payment_method_id="visa")
            if status == "approved":
                pref["paid"] = pid
            if self.webhook is not None:
                query, headers, body = mercadopago_request(pid, self.webhook.secret)
                await send_webhook(self.webhook, body=body, headers=headers, query=query)
        else:
            pid, back = pref["paid"], "success"
        url = pref["back_urls"].get(back)
        if not url:
            return not_found_page("The preference has no return URL.")
        payment = self.payments[pid]
        params = {"collection_id": pid, "collection_status": payment["status"], "payment_id": pid,
                  "status": payment["status"], "external_reference": pref["external_reference"],
                  "preference_id": pref["id"]}
        return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{urlencode(params)}", status_code=303)


def _payment_text(payment: dict[str, Any]) -> str:
    """A payment as MercadoPago's JSON: `transaction_amount` a JSON number in major units (from a decimal string)."""
    rest = json.dumps({k: v for k, v in payment.items() if k != "transaction_amount"})
    return rest[:-1] + f', "transaction_amount": {payment["transaction_amount"]}}}'


def _raw_json(text: str) -> JSONResponse:
    response = JSONResponse(None)
    response.body = text.encode()
    response.headers["content-length"] = str(len(response.body))
    return response


def mercadopago_request(data_id: str, secret: str, *, ts: int | None = None, request_id: str | None = None,
                        kind: str = "payment") -> tuple[str, dict[str, str], str]:
    """A notification as MercadoPago sends it: (query string, headers, body); the manifest signed with HMAC-SHA256."""
    ts = int(time.time()) if ts is None else ts
    request_id = request_id or str(uuid.uuid4())
    manifest = f"id:{data_id};request-id:{request_id};ts:{ts};"
    v1 = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    body = json.dumps({"action": "payment.updated", "api_version": "v1", "data": {"id": data_id},
                       "date_created": "2026-11-25T10:00:00Z", "id": next(_ids), "live_mode": False,
                       "type": kind, "user_id": "123"})
    return (f"data.id={data_id}&type={kind}", {"x-signature": f"ts={ts},v1={v1}", "x-request-id": request_id,
                                               "Content-Type": "application/json"}, body)

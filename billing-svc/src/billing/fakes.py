"""Local fakes of the providers' APIs (the endpoints billing calls, as the SDKs speak them) and webhook requests
signed exactly as Stripe and MercadoPago sign them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_ids = itertools.count(1000)


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


class FakeStripe:
    """Checkout Sessions, PaymentIntents and Refunds, with Stripe's idempotency-key replay (form-encoded bodies)."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, tuple[list[tuple[str, str]], dict[str, Any]]] = {}
        self.calls: list[tuple[str, str, str | None]] = []  # (method, path, idempotency key)
        self.app = Starlette(routes=[
            Route("/v1/checkout/sessions", self.create_session, methods=["POST"]),
            Route("/v1/checkout/sessions/{sid}", self.get_session, methods=["GET"]),
            Route("/v1/payment_intents/{pid}", self.get_intent, methods=["GET"]),
            Route("/v1/refunds", self.create_refund, methods=["POST"]),
        ])

    async def _form(self, request: Request) -> tuple[dict[str, str], list[tuple[str, str]], str | None]:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        key = request.headers.get("idempotency-key")
        self.calls.append((request.method, request.url.path, key))
        return dict(pairs), pairs, key

    def _replay(self, key: str | None, pairs: list[tuple[str, str]]) -> JSONResponse | None:
        if key and key in self.idempotency:
            stored_pairs, answer = self.idempotency[key]
            if stored_pairs != pairs:
                return _error(400, "idempotency_error", "Keys for idempotent requests can only be used with the "
                                                       "same parameters they were first used with.")
            return JSONResponse(answer)
        return None

    async def create_session(self, request: Request) -> JSONResponse:
        form, pairs, key = await self._form(request)
        if (replay := self._replay(key, pairs)) is not None:
            return replay
        sid = f"cs_test_{next(_ids)}"
        session = {
            "id": sid, "object": "checkout.session", "url": f"https://checkout.stripe.test/pay/{sid}",
            "mode": form["mode"], "payment_status": "unpaid", "status": "open", "payment_intent": None,
            "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
            "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "intent_metadata": {k[30:-1]: v for k, v in form.items()
                                if k.startswith("payment_intent_data[metadata][")},
        }
        self.sessions[sid] = session
        if key:
            self.idempotency[key] = (pairs, session)
        return JSONResponse(session)

    async def get_session(self, request: Request) -> JSONResponse:
        self.calls.append(("GET", request.url.path, None))
        found = self.sessions.get(request.path_params["sid"])
        return JSONResponse(found) if found else _error(404, "invalid_request_error", "No such checkout session")

    async def get_intent(self, request: Request) -> JSONResponse:
        self.calls.append(("GET", request.url.path, None))
        found = self.intents.get(request.path_params["pid"])
        return JSONResponse(found) if found else _error(404, "invalid_request_error", "No such payment_intent")

    async def create_refund(self, request: Request) -> JSONResponse:
        form, pairs, key = await self._form(request)
        if (replay := self._replay(key, pairs)) is not None:
            return replay
        intent = self.intents.get(form["payment_intent"])
        if intent is None:
            return _error(404, "invalid_request_error", "No such payment_intent")
        refund = {"id": f"re_test_{next(_ids)}", "object": "refund", "amount": int(form["amount"]),
                  "currency": intent["currency"], "payment_intent": intent["id"], "status": "succeeded"}
        self.refunds[refund["id"]] = refund
        if key:
            self.idempotency[key] = (pairs, refund)
        return JSONResponse(refund)

    # --- what happens at Stripe when the client pays ------------------------------------------------
    def complete(self, sid: str) -> str:
        """The client pays the session: a succeeded PaymentIntent; returns its id."""
        session = self.sessions[sid]
        pid = f"pi_test_{next(_ids)}"
        self.intents[pid] = {"id": pid, "object": "payment_intent", "status": "succeeded",
                             "amount": session["amount_total"], "amount_received": session["amount_total"],
                             "currency": session["currency"], "metadata": session["intent_metadata"]}
        session.update(payment_status="paid", status="complete", payment_intent=pid)
        return pid

    def event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        public = {k: v for k, v in obj.items() if k != "intent_metadata"}
        return {"id": f"evt_test_{next(_ids)}", "object": "event", "type": kind, "api_version": "2025-01-01",
                "created": int(time.time()), "data": {"object": public}}

    def dispute(self, pid: str) -> dict[str, Any]:
        intent = self.intents[pid]
        return self.event("charge.dispute.created", {
            "id": f"dp_test_{next(_ids)}", "object": "dispute", "charge": f"ch_test_{next(_ids)}",
            "payment_intent": pid, "amount": intent["amount"], "currency": intent["currency"],
            "reason": "fraudulent", "status": "needs_response"})


def stripe_headers(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """`Stripe-Signature` exactly as Stripe builds it (the SDK's own helper)."""
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret, timestamp),
            "Content-Type": "application/json"}


class FakeMercadoPago:
    """Preferences, payments (get, search by external_reference) and refunds; JSON amounts in major units."""

    def __init__(self) -> None:
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
        preference = {"id": pref_id, "init_point": f"https://www.mercadopago.test/checkout?pref_id={pref_id}",
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

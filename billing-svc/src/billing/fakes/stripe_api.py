"""A local Stripe: the API endpoints billing calls (as the SDK speaks them), webhook requests signed exactly as
Stripe signs them, and (with a public URL and a webhook target) the hosted Checkout page of the sandbox."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from abono.money import Money
from billing.fakes.checkout import WebhookTarget, checkout_page, not_found_page, send_webhook
from billing.fakes.stripe_saved import SavedCards

_ids = itertools.count(1000)


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


class FakeStripe:
    """Checkout Sessions, PaymentIntents (with their latest Charge, `expand[]=latest_charge`, whose card carries
    Stripe's `fingerprint`: the same card, the same fingerprint), and Refunds, with Stripe's idempotency-key replay
    (form-encoded bodies); saved cards (Customers, SetupIntents, PaymentMethods, off-session PaymentIntents) in
    `saved`.

    `public_url`: where a browser reaches this fake; sessions then point at its hosted page `/pay/<id>`, whose
    buttons send signed webhooks to `webhook`. Without it the session URL is a placeholder no browser opens."""

    def __init__(self, *, public_url: str | None = None, webhook: WebhookTarget | None = None) -> None:
        self.public_url = public_url
        self.webhook = webhook
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        # key → (the request's parameters, the answer, its status): errors are replayed too, as Stripe does
        self.idempotency: dict[str, tuple[list[tuple[str, str]], dict[str, Any], int]] = {}
        self.saved = SavedCards(self)
        self.calls: list[tuple[str, str, str | None]] = []  # (method, path, idempotency key)
        self.app = Starlette(routes=[
            Route("/v1/checkout/sessions", self.create_session, methods=["POST"]),
            Route("/v1/checkout/sessions/{sid}", self.get_session, methods=["GET"]),
            Route("/v1/payment_intents/{pid}", self.get_intent, methods=["GET"]),
            Route("/v1/refunds", self.create_refund, methods=["POST"]),
            Route("/pay/{sid}", self.hosted_page, methods=["GET"]),
            Route("/pay/{sid}/pay", self.hosted_pay, methods=["POST"]),
            Route("/pay/{sid}/decline", self.hosted_decline, methods=["POST"]),
            *self.saved.routes(),
        ])

    async def _form(self, request: Request) -> tuple[dict[str, str], list[tuple[str, str]], str | None]:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        key = request.headers.get("idempotency-key")
        self.calls.append((request.method, request.url.path, key))
        return dict(pairs), pairs, key

    def _replay(self, key: str | None, pairs: list[tuple[str, str]]) -> JSONResponse | None:
        if key and key in self.idempotency:
            stored_pairs, answer, status = self.idempotency[key]
            if stored_pairs != pairs:
                return _error(400, "idempotency_error", "Keys for idempotent requests can only be used with the "
                                                       "same parameters they were first used with.")
            return JSONResponse(answer, status_code=status, headers={"Idempotent-Replayed": "true"})
        return None

    def _remember(self, key: str | None, pairs: list[tuple[str, str]], answer: dict[str, Any]) -> JSONResponse:
        """A successful answer, kept for the key's replays."""
        if key:
            self.idempotency[key] = (pairs, answer, 200)
        return JSONResponse(answer)

    async def create_session(self, request: Request) -> JSONResponse:
        form, pairs, key = await self._form(request)
        if (replay := self._replay(key, pairs)) is not None:
            return replay
        sid = f"cs_test_{next(_ids)}"
        base = (self.public_url or "https://checkout.stripe.test").rstrip("/")
        if form.get("mode") == "setup":  # B-21: saving a card (a SetupIntent), no payment
            self.sessions[sid] = self.saved.setup_session(form, sid, base)
            return self._remember(key, pairs, self.sessions[sid])
        session = {
            "id": sid, "object": "checkout.session", "url": f"{base}/pay/{sid}",
            "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"),
            "mode": form["mode"], "payment_status": "unpaid", "status": "open", "payment_intent": None,
            "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
            "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "intent_metadata": {k[30:-1]: v for k, v in form.items()
                                if k.startswith("payment_intent_data[metadata][")},
        }
        self.sessions[sid] = session
        return self._remember(key, pairs, session)

    async def get_session(self, request: Request) -> JSONResponse:
        self.calls.append(("GET", request.url.path, None))
        found = self.sessions.get(request.path_params["sid"])
        return JSONResponse(found) if found else _error(404, "invalid_request_error", "No such checkout session")

    async def get_intent(self, request: Request) -> JSONResponse:
        self.calls.append(("GET", request.url.path, None))
        found = self.intents.get(request.path_params["pid"])
        if found is None:
            return _error(404, "invalid_request_error", "No such payment_intent")
        expand = {v for k, v in request.query_params.multi_items() if k.startswith("expand")}
        if "latest_charge" in expand and found.get("latest_charge"):
            found = {**found, "latest_charge": self.charges[found["latest_charge"]]}
        return JSONResponse(found)

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
        return self._remember(key, pairs, refund)

    # --- what happens at Stripe when the client pays ------------------------------------------------
    def complete(self, sid: str, *, card_fingerprint: str | None = None) -> str:
        """The client pays the session with a card (`card_fingerprint`: Stripe's fingerprint of that card; a new
        card each time unless given): a succeeded PaymentIntent and its Charge; returns the intent's id."""
        session = self.sessions[sid]
        pid, cid = f"pi_test_{next(_ids)}", f"ch_test_{next(_ids)}"
        self.charges[cid] = {"id": cid, "object": "charge", "payment_intent": pid, "status": "succeeded",
                             "amount": session["amount_total"], "currency": session["currency"],
                             "payment_method_details": {"type": "card", "card": {
                                 "brand": "visa", "last4": "4242",
                                 "fingerprint": card_fingerprint or f"fp_{uuid.uuid4().hex[:16]}"}}}
        self.intents[pid] = {"id": pid, "object": "payment_intent", "status": "succeeded",
                             "amount": session["amount_total"], "amount_received": session["amount_total"],
                             "currency": session["currency"], "metadata": session["intent_metadata"],
                             "latest_charge": cid}
        session.update(payment_status="paid", status="complete", payment_intent=pid)
        return pid

    def decline(self, sid: str) -> str:
        """The client's card is refused: a PaymentIntent waiting for another payment method; returns its id."""
        session = self.sessions[sid]
        pid = f"pi_test_{next(_ids)}"
        self.intents[pid] = {"id": pid, "object": "payment_intent", "status": "requires_payment_method",
                             "amount": session["amount_total"], "amount_received": 0,
                             "currency": session["currency"], "metadata": session["intent_metadata"],
                             "last_payment_error": {"code": "card_declined", "decline_code": "generic_decline"}}
        return pid

    # --- the hosted Checkout page (sandbox) -----------------------------------------------------------
    async def hosted_page(self, request: Request) -> Response:
        session = self.sessions.get(request.path_params["sid"])
        if session is None:
            return not_found_page("No such Checkout Session.")
        amount = Money(int(session["amount_total"]), str(session["currency"]).upper())
        sid = session["id"]
        return checkout_page(provider="Stripe Checkout", description=_description(session), amount=amount,
                             pay_action=f"/pay/{sid}/pay", decline_action=f"/pay/{sid}/decline",
                             cancel_url=session.get("cancel_url"))

    async def hosted_pay(self, request: Request) -> Response:
        session = self.sessions.get(request.path_params["sid"])
        if session is None:
            return not_found_page("No such Checkout Session.")
        if session["status"] == "open":
            self.complete(session["id"])
            await self._notify(self.event("checkout.session.completed", session))
        return _back(session.get("success_url"), session["id"])

    async def hosted_decline(self, request: Request) -> Response:
        session = self.sessions.get(request.path_params["sid"])
        if session is None:
            return not_found_page("No such Checkout Session.")
        if session["status"] == "open":
            pid = self.decline(session["id"])
            await self._notify(self.event("payment_intent.payment_failed", self.intents[pid]))
        return _back(session.get("cancel_url"), session["id"])

    async def _notify(self, event: dict[str, Any]) -> None:
        if self.webhook is not None:
            body = json.dumps(event)
            await send_webhook(self.webhook, body=body, headers=stripe_headers(body, self.webhook.secret))

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


def _description(session: dict[str, Any]) -> str:
    reference = session.get("metadata", {}).get("payment_reference")
    return f"Pago de la referencia {reference}" if reference else "Pago"


def _back(url: str | None, sid: str) -> Response:
    """Back to the merchant's page (303: the browser follows with a GET), as Checkout does after paying."""
    if not url:
        return not_found_page("The session has no return URL.")
    return RedirectResponse(url.replace("{CHECKOUT_SESSION_ID}", sid), status_code=303)


def stripe_headers(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """`Stripe-Signature` exactly as Stripe builds it (the SDK's own helper)."""
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret, timestamp),
            "Content-Type": "application/json"}

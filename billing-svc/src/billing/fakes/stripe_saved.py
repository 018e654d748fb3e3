"""The local Stripe's saved cards (B-21): Customers, Checkout Sessions in setup mode with their SetupIntents, the
PaymentMethods they attach, detaching, and off-session PaymentIntents (`confirm=true, off_session=true`) that
succeed, are declined (HTTP 402 `card_error`, the PaymentIntent in the error) or need the cardholder
(`authentication_required`), as Stripe's API answers them. Stripe's test card numbers choose the behaviour:

- 4242 4242 4242 4242: every charge succeeds;
- 4000 0000 0000 0341: attaching succeeds, every charge is declined (`card_declined`);
- 4000 0000 0000 9995: attaching succeeds, charges are declined for `insufficient_funds`;
- 4000 0027 6000 3184: the bank asks for authentication on every charge (`authentication_required` off-session);
- 4000 0000 0000 0002: not even saved: the SetupIntent fails (`setup_intent.setup_failed`), the page stays open.

Saving sends what Stripe sends to the webhook target (`checkout.session.completed`, `setup_intent.succeeded` or
`setup_intent.setup_failed`); `expire_setup` plays Stripe expiring a page left unfinished (24 hours by default:
`checkout.session.expired`).

Tests may change a saved card's behaviour afterwards (`outcomes[pm_id]`), as a client topping up an account would.
"""

from __future__ import annotations

import asyncio
import html
import itertools
from typing import Any, Protocol
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from billing.fakes.checkout import not_found_page


class StripeHost(Protocol):
    """What of `FakeStripe` the saved cards use: its form reading, idempotency replay and shared objects."""

    sessions: dict[str, dict[str, Any]]
    intents: dict[str, dict[str, Any]]
    charges: dict[str, dict[str, Any]]
    idempotency: dict[str, tuple[list[tuple[str, str]], dict[str, Any], int]]
    calls: list[tuple[str, str, str | None]]

    async def _form(self, request: Request) -> tuple[dict[str, str], list[tuple[str, str]], str | None]: ...

    def _replay(self, key: str | None, pairs: list[tuple[str, str]]) -> JSONResponse | None: ...

    def _remember(self, key: str | None, pairs: list[tuple[str, str]], answer: dict[str, Any]) -> JSONResponse: ...

    async def _notify(self, event: dict[str, Any]) -> None: ...

    def event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]: ...


_ids = itertools.count(5000)
# Test card → (brand, last4, charge outcome).
TEST_CARDS: dict[str, tuple[str, str, str]] = {
    "4242424242424242": ("visa", "4242", "succeeds"),
    "4000000000000341": ("visa", "0341", "card_declined"),
    "4000000000009995": ("visa", "9995", "insufficient_funds"),
    "4000002760003184": ("visa", "3184", "authentication_required"),
}
# Test cards the bank refuses to save: the SetupIntent fails (`setup_intent.setup_failed`), the page stays open.
SETUP_DECLINED: dict[str, str] = {"4000000000000002": "generic_decline"}


def _error(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"error": body}, status_code=status)


class SavedCards:
    def __init__(self, stripe: StripeHost) -> None:
        self.stripe = stripe
        self.customers: dict[str, dict[str, Any]] = {}
        self.setup_intents: dict[str, dict[str, Any]] = {}
        self.payment_methods: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, str] = {}  # payment method id → "succeeds" | a decline code
        self.off_session: list[dict[str, Any]] = []  # every off-session PaymentIntent created (charges asked)
        self.gate: asyncio.Event | None = None  # tests: off-session charges wait here (a slow bank) until it is set

    def routes(self) -> list[Route]:
        return [
            Route("/v1/customers", self.create_customer, methods=["POST"]),
            Route("/v1/setup_intents/{sid}", self.get_setup_intent, methods=["GET"]),
            Route("/v1/payment_methods/{pm}", self.get_payment_method, methods=["GET"]),
            Route("/v1/payment_methods/{pm}/detach", self.detach, methods=["POST"]),
            Route("/v1/payment_intents", self.create_intent, methods=["POST"]),
            Route("/setup/{sid}", self.hosted_page, methods=["GET"]),
            Route("/setup/{sid}/save", self.hosted_save, methods=["POST"]),
        ]

    async def create_customer(self, request: Request) -> JSONResponse:
        form, pairs, key = await self.stripe._form(request)
        if (replay := self.stripe._replay(key, pairs)) is not None:
            return replay
        customer: dict[str, Any] = {
            "id": f"cus_test_{next(_ids)}",
            "object": "customer",
            "email": form.get("email"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        }
        self.customers[customer["id"]] = customer
        return self.stripe._remember(key, pairs, customer)

    def setup_session(self, form: dict[str, str], sid: str, base: str) -> dict[str, Any]:
        """A Checkout Session in setup mode and its SetupIntent (called by `FakeStripe.create_session`)."""
        seti = f"seti_test_{next(_ids)}"
        self.setup_intents[seti] = {
            "id": seti,
            "object": "setup_intent",
            "status": "requires_payment_method",
            "customer": form.get("customer"),
            "payment_method": None,
            "usage": "off_session",
            "last_setup_error": None,
            "metadata": {k[28:-1]: v for k, v in form.items() if k.startswith("setup_intent_data[metadata][")},
        }
        return {
            "id": sid,
            "object": "checkout.session",
            "url": f"{base}/setup/{sid}",
            "mode": "setup",
            "status": "open",
            "customer": form.get("customer"),
            "setup_intent": seti,
            "success_url": form.get("success_url"),
            "cancel_url": form.get("cancel_url"),
            "payment_status": "no_payment_required",
            "payment_intent": None,
            "amount_total": None,
            "currency": None,
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        }

    async def get_setup_intent(self, request: Request) -> JSONResponse:
        self.stripe.calls.append(("GET", request.url.path, None))
        found = self.setup_intents.get(request.path_params["sid"])
        return (
            JSONResponse(found)
            if found
            else _error(404, {"type": "invalid_request_error", "message": "No such setupintent"})
        )

    async def get_payment_method(self, request: Request) -> JSONResponse:
        self.stripe.calls.append(("GET", request.url.path, None))
        found = self.payment_methods.get(request.path_params["pm"])
        return (
            JSONResponse(found)
            if found
            else _error(404, {"type": "invalid_request_error", "message": "No such PaymentMethod"})
        )

    async def detach(self, request: Request) -> JSONResponse:
        await self.stripe._form(request)
        method = self.payment_methods.get(request.path_params["pm"])
        if method is None:
            return _error(404, {"type": "invalid_request_error", "message": "No such PaymentMethod"})
        if method["customer"] is None:
            return _error(
                400,
                {
                    "type": "invalid_request_error",
                    "message": "The payment method you provided is not attached to a customer.",
                },
            )
        method["customer"] = None
        return JSONResponse(method)

    async def create_intent(self, request: Request) -> JSONResponse:
        """An off-session PaymentIntent confirmed at once; any other kind is not part of this fake."""
        form, pairs, key = await self.stripe._form(request)
        if self.gate is not None:
            await self.gate.wait()
        if (replay := self.stripe._replay(key, pairs)) is not None:
            return replay
        if form.get("confirm") != "true" or form.get("off_session") != "true":
            return _error(400, {"type": "invalid_request_error", "message": "This fake confirms off-session only."})
        method = self.payment_methods.get(form.get("payment_method", ""))
        if method is None or method["customer"] is None or method["customer"] != form.get("customer"):
            body = {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such PaymentMethod attached to this customer.",
            }
            if key:
                self.stripe.idempotency[key] = (pairs, {"error": body}, 400)
            return _error(400, body)
        outcome = self.outcomes.get(method["id"], "succeeds")
        pid = f"pi_test_{next(_ids)}"
        intent: dict[str, Any] = {
            "id": pid,
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "currency": form["currency"],
            "customer": form["customer"],
            "payment_method": method["id"],
            "off_session": True,
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "status": "succeeded" if outcome == "succeeds" else "requires_payment_method",
            "amount_received": int(form["amount"]) if outcome == "succeeds" else 0,
        }
        self.stripe.intents[pid] = intent
        self.off_session.append(intent)
        if outcome == "succeeds":  # its Charge, with the saved card's fingerprint (one per card, as Stripe's)
            cid = f"ch_test_{next(_ids)}"
            self.stripe.charges[cid] = {
                "id": cid,
                "object": "charge",
                "payment_intent": pid,
                "status": "succeeded",
                "amount": intent["amount"],
                "currency": intent["currency"],
                "payment_method_details": {
                    "type": "card",
                    "card": {**method["card"], "fingerprint": f"fp_{method['id']}"},
                },
            }
            intent["latest_charge"] = cid
            expand = {v for k, v in pairs if k.startswith("expand")}
            answer = {**intent, "latest_charge": self.stripe.charges[cid]} if "latest_charge" in expand else intent
            return self.stripe._remember(key, pairs, answer)
        if outcome == "authentication_required":
            error = {
                "type": "card_error",
                "code": "authentication_required",
                "decline_code": "authentication_required",
                "message": "This payment required an authentication action to complete, but `off_session` "
                "was set to true.",
                "payment_intent": intent,
            }
        else:
            error = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": outcome,
                "message": "Your card was declined.",
                "payment_intent": intent,
            }
        intent["last_payment_error"] = {k: v for k, v in error.items() if k != "payment_intent"}
        if key:
            self.stripe.idempotency[key] = (pairs, {"error": error}, 402)
        return _error(402, error)

    # --- the hosted setup page (sandbox and browser tests) -------------------------------------------
    async def hosted_page(self, request: Request) -> Response:
        session = self.stripe.sessions.get(request.path_params["sid"])
        if session is None or session["mode"] != "setup":
            return not_found_page("No such Checkout Session.")
        e, sid = html.escape, session["id"]
        options = "".join(
            f'<option value="{number}">{number[:4]} {number[4:8]} {number[8:12]} {number[12:]} ({e(outcome)})</option>'
            for number, outcome in [*((n, o) for n, (_, _, o) in TEST_CARDS.items()), *SETUP_DECLINED.items()]
        )
        declined = "declined" in request.query_params
        refused = '<p role="alert">Tarjeta rechazada / Your card was declined.</p>' if declined else ""
        back = session.get("cancel_url") or ""
        body = f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Stripe (sandbox): guardar tarjeta / save card</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; }}
label, select, button {{ display: block; width: 100%; margin-top: .6rem; font: inherit; padding: .5rem; }}</style>
</head><body><main>
<p>Stripe &middot; sandbox: no real card is stored</p>
<h1>Guardar una tarjeta / Save a card</h1>{refused}
<form method="post" action="/setup/{e(sid)}/save">
<label for="card">Card number</label>
<select id="card" name="card">{options}</select>
<button type="submit">Save card</button>
</form>
<p><a href="{e(back)}">Volver sin guardar / Back without saving</a></p>
</main></body></html>"""
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    async def hosted_save(self, request: Request) -> Response:
        session = self.stripe.sessions.get(request.path_params["sid"])
        if session is None or session["mode"] != "setup":
            return not_found_page("No such Checkout Session.")
        if session["status"] == "expired":
            return not_found_page("This Checkout Session has expired.")
        form = dict(parse_qsl((await request.body()).decode()))  # a plain HTML form (no multipart parser needed)
        card = str(form.get("card", "4242424242424242"))
        if card in SETUP_DECLINED:
            await self.stripe._notify(self.fail_setup(session["id"], card=card))
            return RedirectResponse(f"/setup/{session['id']}?declined=1", status_code=303)
        self.complete_setup(session["id"], card=card)
        for event in self.setup_events(session["id"]):
            await self.stripe._notify(event)
        url = str(session.get("success_url") or "")
        return RedirectResponse(url.replace("{CHECKOUT_SESSION_ID}", session["id"]), status_code=303)

    def complete_setup(self, sid: str, *, card: str = "4242424242424242") -> str:
        """The client enters a card on the setup page: a PaymentMethod attached to the customer, the SetupIntent
        succeeded, the session complete; returns the PaymentMethod's id."""
        session = self.stripe.sessions[sid]
        if session["status"] == "complete":
            return str(self.setup_intents[session["setup_intent"]]["payment_method"])
        brand, last4, outcome = TEST_CARDS[card]
        pm = f"pm_test_{next(_ids)}"
        self.payment_methods[pm] = {
            "id": pm,
            "object": "payment_method",
            "type": "card",
            "customer": session["customer"],
            "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034},
        }
        self.outcomes[pm] = outcome
        self.setup_intents[session["setup_intent"]].update(status="succeeded", payment_method=pm)
        session["status"] = "complete"
        return pm

    def setup_events(self, sid: str) -> list[dict[str, Any]]:
        """What Stripe sends once a setup session is complete: the session, then its SetupIntent, succeeded."""
        session = self.stripe.sessions[sid]
        return [self.stripe.event("checkout.session.completed", session),
                self.stripe.event("setup_intent.succeeded", self.setup_intents[session["setup_intent"]])]

    def fail_setup(self, sid: str, *, card: str = "4000000000000002") -> dict[str, Any]:
        """The bank refuses to save the card: the SetupIntent waits for another one, the session stays open;
        returns the `setup_intent.setup_failed` event."""
        intent = self.setup_intents[self.stripe.sessions[sid]["setup_intent"]]
        error = {"type": "card_error", "code": "card_declined", "decline_code": SETUP_DECLINED[card],
                 "message": "Your card was declined."}
        intent.update(status="requires_payment_method", last_setup_error=error)
        return self.stripe.event("setup_intent.setup_failed", intent)

    def expire_setup(self, sid: str) -> dict[str, Any]:
        """Stripe expires a setup page the client never finished; returns the `checkout.session.expired` event."""
        session = self.stripe.sessions[sid]
        if session["status"] == "open":
            session["status"] = "expired"
            self.setup_intents[session["setup_intent"]]["status"] = "canceled"
        return self.stripe.event("checkout.session.expired", session)

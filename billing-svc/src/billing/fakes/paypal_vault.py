"""The local PayPal's vault (B-21, issue #15 item 2), as PayPal's Payment Method Tokens API v3 and Orders v2 speak it:
setup tokens (`POST /v3/vault/setup-tokens`, `PAYER_ACTION_REQUIRED` with an `approve` link to the hosted
agreement page), the payer's approval there (back to `return_url` with `approval_token_id`), payment tokens made
from an approved setup token (`POST /v3/vault/payment-tokens`), deleting one (`DELETE`, 204: the payer's billing
agreement is cancelled), and merchant-initiated orders paid with a vaulted token
(`payment_source.paypal.vault_id`): `COMPLETED` with their capture at once, or HTTP 422 with PayPal's issue
(`INSTRUMENT_DECLINED`, `PAYER_ACTION_REQUIRED`), each write replayed per PayPal-Request-Id. A completed
charge's capture is also notified, as PayPal does: `PAYMENT.CAPTURE.COMPLETED` (kept in `events`, and sent after the
answer when the fake has a webhook target). A setup token left unapproved expires (`expire_setup`: PayPal, 3 hours
later, answers 404 for it; no webhook tells).

The payer account chosen on the agreement page decides how later charges end (`PAYERS`); tests may change it
afterwards (`outcomes[token id]`), as a payer adding funds would.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import uuid
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from billing.fakes.checkout import WebhookTarget, not_found_page

_ids = itertools.count(70_000)
# Payer account on the agreement page → what every later charge does ("succeeds" or PayPal's 422 issue).
PAYERS: dict[str, str] = {
    "comprador@example.test": "succeeds",
    "sin-fondos@example.test": "INSTRUMENT_DECLINED",
    "confirmar@example.test": "PAYER_ACTION_REQUIRED",
}


class PayPalHost(Protocol):
    """What of `FakePayPal` the vault uses."""

    public_url: str | None
    captures: dict[str, dict[str, Any]]
    orders: dict[str, dict[str, Any]]
    tokens: set[str]
    replays: dict[tuple[str, str], tuple[int, dict[str, Any]]]
    webhook: WebhookTarget | None

    def _authorized(self, request: Request) -> str | None: ...

    def event(self, event_type: str, resource: dict[str, Any]) -> dict[str, Any]: ...

    async def deliver(self, event: dict[str, Any]) -> int: ...

    async def _write(self, request: Request, make: Any) -> JSONResponse: ...


def _vid(prefix: str) -> str:
    return f"{prefix}{next(_ids)}{uuid.uuid4().hex[:6].upper()}"


def _issue(status: int, name: str, issue: str) -> tuple[int, dict[str, Any]]:
    return status, {"name": name, "message": issue.replace("_", " ").lower(), "debug_id": uuid.uuid4().hex[:13],
                    "details": [{"issue": issue, "description": issue.replace("_", " ").lower()}]}


class PayPalVault:
    def __init__(self, host: PayPalHost) -> None:
        self.host = host
        self.setup_tokens: dict[str, dict[str, Any]] = {}
        self.payment_tokens: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, str] = {}  # payment token id → "succeeds" | PayPal's issue
        self.charges: list[dict[str, Any]] = []  # every order paid with a vaulted token (each charge asked)
        self.events: list[dict[str, Any]] = []  # PAYMENT.CAPTURE.COMPLETED of each vaulted charge, as PayPal sends
        # Tests: set, a completed charge's answer waits for it (its capture and event exist already), so the webhook
        # can be delivered before the merchant reads the answer.
        self.hold: asyncio.Event | None = None

    def routes(self) -> list[Route]:
        return [
            Route("/v3/vault/setup-tokens", self.create_setup_token, methods=["POST"]),
            Route("/v3/vault/setup-tokens/{sid}", self.get_setup_token, methods=["GET"]),
            Route("/v3/vault/payment-tokens", self.create_payment_token, methods=["POST"]),
            Route("/v3/vault/payment-tokens/{tid}", self.get_payment_token, methods=["GET"]),
            Route("/v3/vault/payment-tokens/{tid}", self.delete_payment_token, methods=["DELETE"]),
            Route("/agreements/approve", self.hosted_page, methods=["GET"]),
            Route("/agreements/approve/{sid}", self.hosted_answer, methods=["POST"]),
        ]

    # --- the REST API ------------------------------------------------------------------------------------
    async def create_setup_token(self, request: Request) -> JSONResponse:
        async def make(_: Request, body: dict[str, Any]) -> JSONResponse:
            source = (body.get("payment_source") or {}).get("paypal")
            if not source or source.get("usage_type") != "MERCHANT":
                status, error = _issue(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER")
                return JSONResponse(error, status_code=status)
            sid = _vid("5C")
            customer = (body.get("customer") or {}).get("id") or _vid("cust_")
            base = (self.host.public_url or "https://www.paypal.test").rstrip("/")
            token = {"id": sid, "customer": {"id": customer}, "status": "PAYER_ACTION_REQUIRED",
                     "payment_source": {"paypal": {k: v for k, v in source.items() if k != "experience_context"}},
                     "experience_context": source.get("experience_context") or {},
                     "links": [{"href": f"{base}/agreements/approve?approval_session_id={sid}", "rel": "approve",
                                "method": "GET"},
                               {"href": f"{base}/v3/vault/setup-tokens/{sid}", "rel": "self", "method": "GET"}]}
            self.setup_tokens[sid] = token
            return JSONResponse(self._public(token), status_code=201)

        return await self.host._write(request, make)

    @staticmethod
    def _public(token: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in token.items() if k not in ("experience_context", "payer")}

    async def get_setup_token(self, request: Request) -> JSONResponse:
        if self.host._authorized(request) not in self.host.tokens:
            return JSONResponse(_issue(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")[1], status_code=401)
        token = self.setup_tokens.get(request.path_params["sid"])
        if token is None:
            return JSONResponse(_issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")[1], status_code=404)
        return JSONResponse(self._public(token))

    async def create_payment_token(self, request: Request) -> JSONResponse:
        async def make(_: Request, body: dict[str, Any]) -> JSONResponse:
            ref = (body.get("payment_source") or {}).get("token") or {}
            setup = self.setup_tokens.get(str(ref.get("id")))
            if ref.get("type") != "SETUP_TOKEN" or setup is None:
                return JSONResponse(_issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")[1], status_code=404)
            if setup["status"] != "APPROVED":
                status, error = _issue(422, "UNPROCESSABLE_ENTITY", "SETUP_TOKEN_NOT_APPROVED")
                return JSONResponse(error, status_code=status)
            tid = _vid("8k")
            payer = setup["payer"]
            token = {"id": tid, "customer": setup["customer"],
                     "payment_source": {"paypal": {"email_address": payer, "payer_id": f"PAYER{tid[-6:]}",
                                                   "usage_type": "MERCHANT"}},
                     "links": [{"href": f"/v3/vault/payment-tokens/{tid}", "rel": "self", "method": "GET"}]}
            self.payment_tokens[tid] = token
            self.outcomes[tid] = PAYERS[payer]
            setup["status"] = "VAULTED"
            return JSONResponse(token, status_code=201)

        return await self.host._write(request, make)

    async def get_payment_token(self, request: Request) -> JSONResponse:
        if self.host._authorized(request) not in self.host.tokens:
            return JSONResponse(_issue(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")[1], status_code=401)
        token = self.payment_tokens.get(request.path_params["tid"])
        if token is None:
            return JSONResponse(_issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")[1], status_code=404)
        return JSONResponse(token)

    async def delete_payment_token(self, request: Request) -> Response:
        if self.host._authorized(request) not in self.host.tokens:
            return JSONResponse(_issue(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")[1], status_code=401)
        if self.payment_tokens.pop(request.path_params["tid"], None) is None:
            return JSONResponse(_issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")[1], status_code=404)
        return Response(status_code=204)

    async def charge(self, request: Request, body: dict[str, Any], vault_id: str) -> JSONResponse:
        """An order paid with a vaulted token (called by `FakePayPal.create_order`): completed and captured at
        once, its capture notified (`PAYMENT.CAPTURE.COMPLETED`), or refused with PayPal's 422 (remembered for its
        PayPal-Request-Id, as a success is)."""
        unit = body["purchase_units"][0]
        outcome = self.outcomes.get(vault_id, "succeeds") if vault_id in self.payment_tokens else (
            "PAYMENT_SOURCE_CANNOT_BE_USED")
        oid = _vid("5O")
        order: dict[str, Any] = {
            "id": oid, "intent": body["intent"], "vault_id": vault_id,
            "purchase_units": [{k: unit[k] for k in ("reference_id", "description", "custom_id", "invoice_id",
                                                       "amount") if k in unit}],
            "payment_source": {"paypal": {"attributes": {"vault": {"id": vault_id, "status": "VAULTED"}}}},
        }
        self.charges.append({**order, "outcome": outcome})
        key = request.headers.get("paypal-request-id")
        if outcome != "succeeds":
            status, error = _issue(422, "UNPROCESSABLE_ENTITY", outcome)
            if key:
                self.host.replays[(request.url.path, key)] = (status, error)
            return JSONResponse(error, status_code=status)
        capture = {"id": _vid("3C"), "status": "COMPLETED", "amount": unit["amount"],
                   "custom_id": unit.get("custom_id"), "invoice_id": unit.get("invoice_id"), "final_capture": True,
                   "supplementary_data": {"related_ids": {"order_id": oid}}}
        self.host.captures[capture["id"]] = capture
        order["purchase_units"][0]["payments"] = {"captures": [capture]}
        order["status"] = "COMPLETED"
        self.host.orders[oid] = order
        event = self.host.event("PAYMENT.CAPTURE.COMPLETED", capture)
        self.events.append(event)
        if self.hold is not None:
            await self.hold.wait()
        send = BackgroundTask(self.host.deliver, event) if self.host.webhook is not None else None
        return JSONResponse(order, status_code=201, background=send)

    # --- the hosted agreement page (sandbox and browser tests) -----------------------------------------------
    async def hosted_page(self, request: Request) -> Response:
        token = self.setup_tokens.get(request.query_params.get("approval_session_id", ""))
        if token is None:
            return not_found_page("No such approval session.")
        e = html.escape
        options = "".join(f'<option value="{e(p)}">{e(p)} ({e(o)})</option>' for p, o in PAYERS.items())
        body = f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PayPal (sandbox): guardar PayPal para pagos futuros / save PayPal for future payments</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; }}
label, select, button {{ display: block; width: 100%; margin-top: .6rem; font: inherit; padding: .5rem; }}</style>
</head><body><main>
<p>PayPal &middot; sandbox: no real account is charged</p>
<h1>Autorizar pagos futuros / Agree to future payments</h1>
<form method="post" action="/agreements/approve/{e(token['id'])}">
<label for="payer">PayPal account</label>
<select id="payer" name="payer">{options}</select>
<button type="submit" name="answer" value="agree">Agree and continue</button>
<button type="submit" name="answer" value="cancel">Cancel</button>
</form>
</main></body></html>"""
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    async def hosted_answer(self, request: Request) -> Response:
        token = self.setup_tokens.get(request.path_params["sid"])
        if token is None:
            return not_found_page("No such approval session.")
        form = dict(parse_qsl((await request.body()).decode()))
        context = token["experience_context"]
        if form.get("answer") != "agree":
            url = str(context.get("cancel_url") or "")
            return RedirectResponse(url, status_code=303) if url else not_found_page("No cancel URL.")
        self.approve(token["id"], payer=str(form.get("payer") or "comprador@example.test"))
        url = str(context.get("return_url") or "")
        if not url:
            return not_found_page("The setup token has no return URL.")
        query = urlencode({"approval_token_id": token["id"], "approval_session_id": token["id"]})
        return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{query}", status_code=303)

    def expire_setup(self, setup_id: str) -> None:
        """3 hours later, a setup token never made a payment token is gone: PayPal answers 404 for it."""
        if self.setup_tokens[setup_id]["status"] != "VAULTED":
            del self.setup_tokens[setup_id]

    def approve(self, setup_id: str, *, payer: str = "comprador@example.test") -> None:
        """The payer logs in at PayPal and agrees to future payments by this merchant."""
        token = self.setup_tokens[setup_id]
        if token["status"] == "PAYER_ACTION_REQUIRED":
            token.update(status="APPROVED", payer=payer)

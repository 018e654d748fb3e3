"""A local Pagos360: adhesions (CBU and card), debit requests on them, payment requests with their hosted checkout,
and webhooks as Pagos360 sends them (to the URL registered with its `?token=`), for the tests and `make run`.

Shapes as Pagos360's REST API (its PHP SDK): writes wrap their fields in a block named after the resource and answer
201; `PUT /<resource>/<id>/cancel` answers 200; `GET /<resource>?external_reference=` lists `{"data": [...]}`; dates
`dd-mm-YYYY`; amounts JSON numbers; `Authorization: Bearer <api key>` (401 otherwise); a missing field is 400.

What happens at Pagos360 later is driven by the test (or the sandbox's page at `/sandbox`): `sign(ref)` accepts an
adhesion, `settle(ref, "paid" | "rejected", comment)` gives a debit its result; each sends its webhook when a target
is set (`auto_sign`: adhesions are signed at once, as the sandbox wants)."""

from __future__ import annotations

import html
import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from abono.money import Money
from billing.fakes.checkout import WebhookTarget, checkout_page, not_found_page, send_webhook

_ids = itertools.count(7_000)
REQUIRED = {
    "adhesion": (
        "adhesion_holder_name",
        "email",
        "description",
        "short_description",
        "external_reference",
        "cbu_number",
        "cbu_holder_name",
        "cbu_holder_id_number",
    ),
    "card_adhesion": (
        "adhesion_holder_name",
        "email",
        "description",
        "external_reference",
        "card_number",
        "card_holder_name",
    ),
    "debit_request": ("adhesion", "first_due_date", "first_total"),
    "card_debit_request": ("card_adhesion", "amount", "month", "year"),
    "payment_request": ("description", "first_due_date", "first_total", "payer_name"),
}
BLOCKS = {
    "adhesion": "adhesion",
    "card-adhesion": "card_adhesion",
    "debit-request": "debit_request",
    "card-debit-request": "card_debit_request",
    "payment-request": "payment_request",
}
CANCELLABLE = {
    "adhesion": "pending_to_sign signed",
    "card-adhesion": "pending_to_sign signed",
    "debit-request": "pending",
    "card-debit-request": "pending",
    "payment-request": "pending",
}


def _now() -> str:
    return datetime.now(UTC).strftime("%d-%m-%Y %H:%M:%S")


def _text(body: dict[str, Any]) -> str:
    def number(value: object) -> str:
        if isinstance(value, Decimal):
            return f"@@{value:f}@@"
        raise TypeError(type(value).__name__)

    return json.dumps(body, default=number).replace('"@@', "").replace('@@"', "")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(_text(body), status_code=status, media_type="application/json")


class FakePagos360:
    def __init__(
        self,
        *,
        api_key: str = "p360-test-key",
        public_url: str | None = None,
        webhook: WebhookTarget | None = None,
        auto_sign: bool = False,
    ) -> None:
        self.api_key = api_key
        self.public_url = public_url
        self.webhook = webhook  # `secret`: the token Pagos360 puts in the registered URL's query
        self.auto_sign = auto_sign
        self.entities: dict[str, dict[str, Any]] = {}  # "debit-request-7001" → the resource's JSON
        self.sent: list[str] = []  # webhook bodies sent, for replays in tests
        self.card_numbers: dict[str, str] = {}  # what Pagos360 keeps and we must not
        routes = [
            Route("/sandbox", self.sandbox_page, methods=["GET"]),
            Route("/sandbox/{ref}/{outcome}", self.sandbox_settle, methods=["POST"]),
            Route("/checkout/{ref}", self.hosted_page, methods=["GET"]),
            Route("/checkout/{ref}/{outcome}", self.hosted_settle, methods=["POST"]),
        ]
        for resource in BLOCKS:
            routes += [
                Route(f"/{resource}", self._create(resource), methods=["POST"]),
                Route(f"/{resource}", self._list(resource), methods=["GET"]),
                Route(f"/{resource}/{{rid:int}}", self._get(resource), methods=["GET"]),
                Route(f"/{resource}/{{rid:int}}/cancel", self._cancel(resource), methods=["PUT"]),
            ]
        self.app = Starlette(routes=routes)

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    # --- the API ---------------------------------------------------------------------------------------
    def _create(self, resource: str) -> Any:
        block = BLOCKS[resource]

        async def create(request: Request) -> Response:
            if not self._authorized(request):
                return JSONResponse({"message": "Unauthorized"}, status_code=401)
            try:
                fields = json.loads(await request.body(), parse_float=Decimal)[block]
            except (ValueError, KeyError, TypeError):
                return JSONResponse({"message": f"Expected a {block} block"}, status_code=400)
            missing = [f for f in REQUIRED[block] if fields.get(f) in (None, "")]
            if missing:
                return JSONResponse(
                    {"message": "Validation failed", "errors": {f: "required" for f in missing}}, status_code=400
                )
            number = next(_ids)
            entity = {**fields, "id": number, "state": "pending", "created_at": _now()}
            if resource in ("adhesion", "card-adhesion"):
                entity["state"] = "pending_to_sign"
            if resource == "card-adhesion":
                card = str(entity.pop("card_number"))
                self.card_numbers[f"{resource}-{number}"] = card
                entity.update(last_four_digits=card[-4:], card="VISA" if card.startswith("4") else "MASTERCARD")
            if resource == "adhesion":
                entity["bank"] = (
                    "BANCO DE LA NACION ARGENTINA" if str(entity["cbu_number"]).startswith("011") else "BANCO DE PRUEBA"
                )
            if block in ("debit_request", "card_debit_request"):
                on_card = block == "card_debit_request"
                parent = (
                    f"{'card-adhesion' if on_card else 'adhesion'}-{entity['card_adhesion' if on_card else 'adhesion']}"
                )
                found = self.entities.get(parent)
                if found is None or found["state"] != "signed":
                    return JSONResponse({"message": "The adhesion is not signed"}, status_code=400)
                entity["request_result"] = []
            if resource == "payment-request":
                entity["request_result"] = []
                base = (self.public_url or "https://checkout.pagos360.test").rstrip("/")
                entity["checkout_url"] = f"{base}/checkout/payment-request-{number}"
            ref = f"{resource}-{number}"
            self.entities[ref] = entity
            if self.auto_sign and resource in ("adhesion", "card-adhesion"):
                await self.sign(ref)
            return _json(entity, 201)

        return create

    def _list(self, resource: str) -> Any:
        async def listed(request: Request) -> Response:
            if not self._authorized(request):
                return JSONResponse({"message": "Unauthorized"}, status_code=401)
            wanted = request.query_params.get("external_reference")
            found = [
                e
                for ref, e in self.entities.items()
                if ref.rsplit("-", 1)[0] == resource and (wanted is None or e.get("external_reference") == wanted)
            ]
            return _json({"data": found, "meta": {"total": len(found)}})

        return listed

    def _get(self, resource: str) -> Any:
        async def get(request: Request) -> Response:
            if not self._authorized(request):
                return JSONResponse({"message": "Unauthorized"}, status_code=401)
            found = self.entities.get(f"{resource}-{request.path_params['rid']}")
            return _json(found) if found else JSONResponse({"message": "Not found"}, status_code=404)

        return get

    def _cancel(self, resource: str) -> Any:
        async def cancel(request: Request) -> Response:
            if not self._authorized(request):
                return JSONResponse({"message": "Unauthorized"}, status_code=401)
            found = self.entities.get(f"{resource}-{request.path_params['rid']}")
            if found is None:
                return JSONResponse({"message": "Not found"}, status_code=404)
            if found["state"] not in CANCELLABLE[resource].split():
                return JSONResponse({"message": f"Cannot cancel a {found['state']} {resource}"}, status_code=400)
            found.update(state="canceled", canceled_at=_now())
            return _json(found)

        return cancel

    # --- what happens at Pagos360 later ---------------------------------------------------------------
    async def sign(self, ref: str, state: str = "signed", comment: str = "") -> str:
        """The bank or issuer accepted (or refused: `state="canceled"`) an adhesion; its webhook is sent."""
        entity = self.entities[ref]
        entity["state"] = state
        if comment:
            entity["state_comment"] = comment
        return await self.notify(ref, state)

    async def settle(self, ref: str, state: str = "paid", comment: str = "") -> str:
        """A debit or payment request's result: `paid` (collected) or `rejected` (e.g. "Fondos insuficientes")."""
        entity = self.entities[ref]
        amount = entity.get("first_total", entity.get("amount"))
        result: dict[str, Any] = {
            "id": next(_ids),
            "type": f"{state}_{ref.rsplit('-', 1)[0].replace('-', '_')}_result",
            "amount": amount,
            "created_at": _now(),
        }
        if state == "paid":
            result.update(paid_at=_now(), channel="debito_automatico")
        else:
            result.update(rejected_at=_now(), state_comment=comment or "Rechazado por el banco")
        entity["request_result"].append(result)
        entity["state"] = state
        return await self.notify(ref, state, result_id=result["id"])

    def webhook_body(self, ref: str, kind: str, *, result_id: int | None = None) -> str:
        """A notification as Pagos360 posts it: which entity, what happened, and the entity's ids."""
        resource, number = ref.rsplit("-", 1)
        entity = self.entities[ref]
        payload: dict[str, Any] = {"id": int(number), "external_reference": entity.get("external_reference")}
        if result_id is not None:
            payload["request_result_id"] = result_id
        return json.dumps({"entity_name": BLOCKS[resource], "type": kind, "created_at": _now(), "payload": payload})

    async def notify(self, ref: str, kind: str, *, result_id: int | None = None) -> str:
        body = self.webhook_body(ref, kind, result_id=result_id)
        self.sent.append(body)
        if self.webhook is not None:
            await send_webhook(
                self.webhook,
                body=body,
                headers={"Content-Type": "application/json"},
                query=urlencode({"token": self.webhook.secret}),
            )
        return body

    # --- the sandbox's pages (make run) ---------------------------------------------------------------
    async def sandbox_page(self, request: Request) -> HTMLResponse:
        """Pending debits with buttons to collect or reject them, as the bank would on the debit date."""
        e = html.escape
        rows = "".join(
            f"<tr><td>{e(ref)}</td><td>{e(str(x.get('description', '')))}</td>"
            f"<td>{e(str(x.get('first_total', x.get('amount'))))} ARS</td><td>{e(str(x.get('first_due_date', '')))}"
            f"</td><td><form method=post action='/sandbox/{e(ref)}/paid'><button>Cobrar / Collect</button></form>"
            f"<form method=post action='/sandbox/{e(ref)}/rejected'><button>Rechazar / Reject</button></form></td></tr>"
            for ref, x in self.entities.items()
            if "debit-request" in ref and x["state"] == "pending"
        )
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>Pagos360 (sandbox)</title>"
            f"<h1>Pagos360 sandbox: débitos pendientes</h1><table>{rows or '<tr><td>none</td></tr>'}"
            f"</table>"
        )

    async def sandbox_settle(self, request: Request) -> Response:
        ref, outcome = request.path_params["ref"], request.path_params["outcome"]
        if ref not in self.entities or outcome not in ("paid", "rejected"):
            return not_found_page("No such debit.")
        await self.settle(ref, outcome, "" if outcome == "paid" else "Fondos insuficientes")
        return RedirectResponse("/sandbox", status_code=303)

    async def hosted_page(self, request: Request) -> Response:
        ref = request.path_params["ref"]
        found = self.entities.get(ref)
        if found is None or not ref.startswith("payment-request-"):
            return not_found_page("No such payment request.")
        amount = Money.from_decimal(Decimal(str(found["first_total"])), "ARS")
        return checkout_page(
            provider="Pagos360",
            description=str(found["description"]),
            amount=amount,
            pay_action=f"/checkout/{ref}/paid",
            decline_action=f"/checkout/{ref}/rejected",
            cancel_url=found.get("back_url_rejected"),
        )

    async def hosted_settle(self, request: Request) -> Response:
        ref, outcome = request.path_params["ref"], request.path_params["outcome"]
        found = self.entities.get(ref)
        if found is None or outcome not in ("paid", "rejected"):
            return not_found_page("No such payment request.")
        if found["state"] == "pending":
            await self.settle(ref, outcome, "Tarjeta rechazada")
        back = found.get("back_url_success" if found["state"] == "paid" else "back_url_rejected")
        return RedirectResponse(str(back), status_code=303) if back else not_found_page("No return URL.")

"""Local fakes of the outside world the drivers speak to: a WHM server (WHM API 1) and a provider implementing
our generic HTTP protocol. Small ASGI apps for tests (run with `abono.testing.serve`) and local runs; they record
every call. Never configured in production: they only exist where a test or a developer serves them."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from provisioning.drivers.http import SIGNATURE_HEADER, verify


@dataclass
class FakeWhm:
    user: str = "root"
    token: str = "WHMTOKEN123"
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    fail_next: int = 0  # the next N calls answer HTTP 503

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/json-api/{function}", self._handle, methods=["GET"])])

    def calls_of(self, function: str, user: str | None = None) -> list[dict[str, str]]:
        return [p for f, p in self.calls if f == function and user in (None, p.get("user"), p.get("username"))]

    async def _handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"whm {self.user}:{self.token}":
            return PlainTextResponse("Access denied", status_code=403)
        params = dict(request.query_params)
        if params.pop("api.version", None) != "1":
            return PlainTextResponse("api.version=1 required", status_code=400)
        function = request.path_params["function"]
        self.calls.append((function, params))
        if self.fail_next > 0:
            self.fail_next -= 1
            return PlainTextResponse("Service Unavailable", status_code=503)
        handler = getattr(self, f"_{function}", None)
        if handler is None:
            return _whm(function, 0, f"Unknown function {function}")
        result: Response = handler(function, params)
        return result

    def _createacct(self, fn: str, p: dict[str, str]) -> Response:
        if p["username"] in self.accounts:
            return _whm(fn, 0, f"Sorry, a passwd entry for “{p['username']}” already exists.")
        self.accounts[p["username"]] = {"domain": p["domain"], "plan": p.get("plan", "default"),
                                        "password": p["password"], "suspended": 0}
        return _whm(fn, 1, "Account Creation Ok", {"nameserver": "ns1.example.test"})

    def _suspendacct(self, fn: str, p: dict[str, str]) -> Response:
        return self._set(fn, p["user"], suspended=1)

    def _unsuspendacct(self, fn: str, p: dict[str, str]) -> Response:
        return self._set(fn, p["user"], suspended=0)

    def _changepackage(self, fn: str, p: dict[str, str]) -> Response:
        return self._set(fn, p["user"], plan=p["pkg"])

    def _removeacct(self, fn: str, p: dict[str, str]) -> Response:
        if self.accounts.pop(p["username"], None) is None:
            return _whm(fn, 0, f"System user {p['username']} does not exist!")
        return _whm(fn, 1, "Account removed")

    def _accountsummary(self, fn: str, p: dict[str, str]) -> Response:
        account = self.accounts.get(p["user"])
        if account is None:
            return _whm(fn, 0, "Account does not exist.")
        return _whm(fn, 1, "OK", {"acct": [{"user": p["user"], **account}]})

    def _set(self, fn: str, user: str, **changes: Any) -> Response:
        if user not in self.accounts:
            return _whm(fn, 0, f"The account “{user}” does not exist.")
        self.accounts[user].update(changes)
        return _whm(fn, 1, "OK")


def _whm(function: str, result: int, reason: str, data: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"metadata": {"version": 1, "command": function, "result": result, "reason": reason}}
    if data is not None:
        body["data"] = data
    return JSONResponse(body)


@dataclass
class FakeProvider:
    """Speaks the generic HTTP driver's protocol (see `provisioning.drivers.http`)."""

    secret: str = "provider-shared-secret"
    accounts: dict[str, str] = field(default_factory=dict)  # service id -> active | suspended
    calls: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # "action:key" -> first answer
    rejected: int = 0
    fail_next: int = 0

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/provision", self._handle, methods=["POST"])])

    def calls_of(self, action: str, service_id: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["action"] == action and service_id in (None, c["service_id"])]

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        if not verify(self.secret, raw, request.headers.get(SIGNATURE_HEADER, ""), now=int(time.time()),
                      tolerance=300):
            self.rejected += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        body = json.loads(raw)
        self.calls.append(body)
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"error": "panel busy"}, status_code=502)
        key = f'{body["action"]}:{request.headers["idempotency-key"]}'
        if key in self.answers:
            return JSONResponse(self.answers[key])
        answer = self._apply(body)
        if body["action"] != "status":
            self.answers[key] = answer
        return JSONResponse(answer)

    def _apply(self, body: dict[str, Any]) -> dict[str, Any]:
        sid, action = body["service_id"], body["action"]
        if action == "create":
            self.accounts[sid] = "active"
            return {"panel_url": "https://radio.example.test/panel", "username": body["username"],
                    "password": body["password"]}
        if action in ("suspend", "unsuspend"):
            self.accounts[sid] = "suspended" if action == "suspend" else "active"
        elif action == "terminate":
            self.accounts.pop(sid, None)
        elif action == "status":
            return {"status": self.accounts.get(sid, "absent")}
        return {"ok": True}

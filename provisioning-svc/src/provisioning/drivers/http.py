"""The generic HTTP driver: a signed JSON POST to a provider's URL (radio and VPS panels, registrars).

Protocol (what a provider implements): `POST <url>` with a JSON body `{"action": "create" | "suspend" |
"unsuspend" | "terminate" | "change_package" | "status", "action_id", "service_id", "client_id", "product_code",
"kind", "domain", "settings", "username", "password", "package", "reason"}`, headers
`X-Abono-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the shared secret>` and
`Idempotency-Key: <action_id>` (the same on every retry: apply it once); a receiver should refuse a `t` more than
5 minutes from its clock (a replay). Any 2xx is success; `create` may answer
`{"panel_url", "username", "password", "manual_url"}`, `status` answers `{"status": "active" | "suspended" |
"absent"}`. Anything else is retried with back-off.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from provisioning.config import HttpEndpoint
from provisioning.drivers.base import AccountStatus, DriverCall, DriverError, Provisioned

SIGNATURE_HEADER = "X-Abono-Signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Abono-Signature` value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, now: int, tolerance: int) -> bool:
    """Check a signature as a receiver should (for providers and our fakes)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


class HttpDriver:
    def __init__(self, endpoint: HttpEndpoint, http: httpx.AsyncClient,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.endpoint = endpoint
        self.http = http
        self._wall_clock = wall_clock  # signatures are checked against real time, not the business clock

    async def create(self, call: DriverCall) -> Provisioned:
        answer = await self._post("create", call)
        return Provisioned(
            panel_url=answer.get("panel_url"),
            username=answer.get("username") or call.account.username,
            password=answer.get("password") or call.account.password,
            manual_url=answer.get("manual_url"),
            server=answer.get("server"),
        )

    async def suspend(self, call: DriverCall) -> None:
        await self._post("suspend", call)

    async def unsuspend(self, call: DriverCall) -> None:
        await self._post("unsuspend", call)

    async def terminate(self, call: DriverCall) -> None:
        await self._post("terminate", call)

    async def change_package(self, call: DriverCall) -> None:
        await self._post("change_package", call)

    async def status(self, call: DriverCall) -> AccountStatus:
        answer = await self._post("status", call)
        try:
            return AccountStatus(answer.get("status", "unknown"))
        except ValueError:
            return AccountStatus.UNKNOWN

    async def _post(self, action: str, call: DriverCall) -> dict[str, Any]:
        account = call.account
        body = json.dumps({
            "action": action, "action_id": call.action_id, "service_id": str(account.service_id),
            "client_id": str(account.client_id), "product_code": account.product_code, "kind": account.kind,
            "domain": account.domain, "settings": account.settings, "username": account.username,
            "password": account.password, "package": call.package, "reason": call.reason,
        }, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.endpoint.secret.get_secret_value(), body, int(self._wall_clock())),
            "Idempotency-Key": str(call.action_id),
        }
        try:
            response = await self.http.post(self.endpoint.url, content=body, headers=headers,
                                            timeout=self.endpoint.timeout_seconds)
        except httpx.HTTPError as exc:
            raise DriverError(f"{action}: {exc!r}") from exc
        if not response.is_success:
            raise DriverError(f"{action}: HTTP {response.status_code} {response.text[:200]}")
        if not response.content:
            return {}
        try:
            answer = response.json()
        except ValueError as exc:
            raise DriverError(f"{action}: the answer is not JSON") from exc
        return answer if isinstance(answer, dict) else {}

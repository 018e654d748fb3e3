"""cPanel/WHM over WHM API 1 (`/json-api/<function>?api.version=1`, `Authorization: whm <user>:<token>`).

Idempotent by checking the account after a refusal: `createacct` for an account that exists, `removeacct` for one
that is gone, `suspendacct`/`unsuspendacct` for one already so, all count as done.
"""

from typing import Any

import httpx

from provisioning.config import WhmServer
from provisioning.drivers.base import AccountStatus, DriverCall, DriverError, Provisioned


class WhmDriver:
    def __init__(self, server: WhmServer, http: httpx.AsyncClient, name: str | None = None) -> None:
        self.server = server
        self.http = http
        self.name = name  # the server's name in PROVISIONING_WHM_SERVERS (S-4: what the status page lists)

    async def create(self, call: DriverCall) -> Provisioned:
        account = call.account
        if not (account.domain and account.username and account.password):
            raise DriverError("createacct needs a domain, a username and a password")
        package = call.package or account.settings.get("package")
        params: dict[str, Any] = {"username": account.username, "domain": account.domain,
                                  "password": account.password}
        if package:
            params["plan"] = package
        reason = await self._call("createacct", params)
        if reason is not None and await self.status(call) is AccountStatus.ABSENT:
            raise DriverError(f"createacct: {reason}")
        return Provisioned(panel_url=self.server.panel_url, username=account.username, password=account.password,
                           server=self.name)

    async def suspend(self, call: DriverCall) -> None:
        params = {"user": self._user(call), "reason": call.reason or "Suspended by Abono"}
        reason = await self._call("suspendacct", params)
        if reason is not None and await self.status(call) is not AccountStatus.SUSPENDED:
            raise DriverError(f"suspendacct: {reason}")

    async def unsuspend(self, call: DriverCall) -> None:
        reason = await self._call("unsuspendacct", {"user": self._user(call)})
        if reason is not None and await self.status(call) is not AccountStatus.ACTIVE:
            raise DriverError(f"unsuspendacct: {reason}")

    async def terminate(self, call: DriverCall) -> None:
        reason = await self._call("removeacct", {"username": self._user(call)})
        if reason is not None and await self.status(call) is not AccountStatus.ABSENT:
            raise DriverError(f"removeacct: {reason}")

    async def change_package(self, call: DriverCall) -> None:
        if not call.package:
            raise DriverError("changepackage needs the new package")
        reason = await self._call("changepackage", {"user": self._user(call), "pkg": call.package})
        if reason is not None:
            raise DriverError(f"changepackage: {reason}")

    async def status(self, call: DriverCall) -> AccountStatus:
        body = await self._request("accountsummary", {"user": self._user(call)})
        if not body["metadata"].get("result"):
            return AccountStatus.ABSENT
        accounts = (body.get("data") or {}).get("acct") or []
        if not accounts:
            return AccountStatus.ABSENT
        return AccountStatus.SUSPENDED if int(accounts[0].get("suspended", 0)) else AccountStatus.ACTIVE

    @staticmethod
    def _user(call: DriverCall) -> str:
        if not call.account.username:
            raise DriverError("the service has no panel username")
        return call.account.username

    async def _call(self, function: str, params: dict[str, Any]) -> str | None:
        """Run `function`; None when WHM reports success, else its reason."""
        body = await self._request(function, params)
        if body["metadata"].get("result"):
            return None
        return str(body["metadata"].get("reason") or "refused")

    async def _request(self, function: str, params: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.server.url.rstrip('/')}/json-api/{function}"
        headers = {"Authorization": f"whm {self.server.user}:{self.server.token.get_secret_value()}"}
        try:
            response = await self.http.get(url, params={"api.version": 1, **params}, headers=headers,
                                           timeout=self.server.timeout_seconds)
        except httpx.HTTPError as exc:
            raise DriverError(f"{function}: {exc!r}") from exc
        if response.status_code != 200:
            raise DriverError(f"{function}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise DriverError(f"{function}: the answer is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
            raise DriverError(f"{function}: the answer has no metadata")
        return body

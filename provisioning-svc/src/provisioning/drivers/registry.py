"""Which driver a product's `driver` name means, built with its configuration (servers, endpoints, secrets)."""

from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import DriverConfiguration
from provisioning.business_calendar import BusinessCalendar
from provisioning.config import HttpEndpoint, ProvisioningSettings, WhmServer
from provisioning.drivers.base import DriverCall, DriverNotConfigured, ProvisioningDriver
from provisioning.drivers.http import HttpDriver
from provisioning.drivers.manual import ManualDriver, TaskOpener
from provisioning.drivers.whm import WhmDriver
from provisioning.registrars.base import Registrar, RegistrarNotConfigured
from provisioning.registrars.nicar import NicArgentina, is_nic_ar
from provisioning.registrars.resellerclub import ResellerClub
from provisioning.tasks.service import due_business_days, open_task


class DriverRegistry:
    """Owns the HTTP clients (one per TLS policy) the panel drivers share."""

    def __init__(self, settings: ProvisioningSettings, calendar: BusinessCalendar) -> None:
        self.settings = settings
        self.calendar = calendar
        self._clients: dict[bool, httpx.AsyncClient] = {}

    def _client(self, verify: bool = True) -> httpx.AsyncClient:
        if verify not in self._clients:
            self._clients[verify] = httpx.AsyncClient(verify=verify)
        return self._clients[verify]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    def driver(self, name: str, settings: dict[str, object], *, session: AsyncSession,
               now: datetime) -> ProvisioningDriver:
        """The driver the catalog's `name` means for a product with `settings` (`DriverNotConfigured` if this
        installation has no server or endpoint for it)."""
        kind = self.settings.driver_aliases.get(name, name)
        if kind == "whm":
            server_name, server = self._whm_server(settings)
            return WhmDriver(server, self._client(server.verify_tls), name=server_name)
        if kind == "manual":
            return ManualDriver(self._task_opener(session, now))
        return HttpDriver(self._endpoint(name, settings), self._client())

    def configuration(self) -> DriverConfiguration:
        """The names this installation configures, as published to billing (`DriversConfigured`, #19 item 3)."""
        s = self.settings
        return DriverConfiguration(
            driver_aliases=dict(s.driver_aliases), whm_servers=sorted(s.whm_servers),
            whm_default_server=s.whm_default_server, http_endpoints=sorted(s.http_endpoints),
            registrar_drivers=list(s.registrar_drivers), registrar_configured=s.resellerclub is not None,
            nic_ar_configured=s.nicar is not None,
        )

    def configuration_problem(self, name: str, settings: dict[str, object]) -> str | None:
        """Why a service of driver `name` with `settings` cannot run here (#19 item 3), or None if it can: the same
        answer billing gets from the published configuration."""
        return self.configuration().problem(name, settings)

    def _endpoint(self, name: str, settings: dict[str, object]) -> HttpEndpoint:
        endpoint_name = str(settings.get("endpoint") or name)
        endpoint = self.settings.http_endpoints.get(endpoint_name)
        if endpoint is None:
            raise DriverNotConfigured(f"driver {name!r}: no HTTP endpoint {endpoint_name!r} is configured "
                                      "(PROVISIONING_HTTP_ENDPOINTS)")
        return endpoint

    def registrar_of(self, name_or_tld: str) -> Registrar:
        """The registrar of a domain name or TLD: NIC Argentina for `.ar`, else the registrar below."""
        if is_nic_ar(name_or_tld):
            if self.settings.nicar is None:
                raise RegistrarNotConfigured("no NIC Argentina RDAP is configured for .ar (PROVISIONING_NICAR)")
            return NicArgentina(self.settings.nicar, self._client())
        return self.registrar()

    def registrar(self) -> Registrar:
        """The domain registrar (D-2); `RegistrarError` (retried, shown to operators) while none is configured."""
        if self.settings.resellerclub is None:
            raise RegistrarNotConfigured("no registrar is configured (PROVISIONING_RESELLERCLUB)")
        return ResellerClub(self.settings.resellerclub, self._client())

    def _whm_server(self, settings: dict[str, object]) -> tuple[str, WhmServer]:
        servers = self.settings.whm_servers
        name = settings.get("server") or self.settings.whm_default_server
        if name is None and len(servers) == 1:
            name = next(iter(servers))
        server = servers.get(str(name))
        if server is None:
            raise DriverNotConfigured(f"no WHM server {name!r} is configured (PROVISIONING_WHM_SERVERS)")
        return str(name), server

    def _task_opener(self, session: AsyncSession, now: datetime) -> TaskOpener:
        async def opener(call: DriverCall, kind: str) -> None:
            account = call.account
            days = due_business_days(settings=self.settings, kind=kind, product_code=account.product_code,
                                     product_kind=account.kind, driver_settings=account.settings)
            await open_task(
                session, action_id=call.action_id, service_id=account.service_id, client_id=account.client_id,
                kind=kind, product_name=account.product_name,
                product_kind=account.kind, package=call.package, days=days, calendar=self.calendar, now=now,
            )

        return opener

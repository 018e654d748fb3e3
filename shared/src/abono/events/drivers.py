"""What provisioning can run (P-4, #19 item 3): the drivers this installation has a server, endpoint or registrar for.

Provisioning publishes `DriversConfigured` when it starts (its servers and driver settings are its environment, so a
change is a restart) and whenever billing asks with `DriversRequested`; billing keeps the latest one and refuses to
create or sell a product its drivers cannot run.

Why billing asks: an event is routed to the queues bound when it is published, and services start in no order. On a
new installation provisioning's first announcement may be published before billing's queue exists, and is then lost.
Each side emits only once its own queue is bound (`ServiceSpec.on_subscribed`): provisioning announces at start,
billing asks at start; whichever of the two bound its queue last has its message reach the other, so billing hears
an announcement in every order.
`DriverConfiguration.problem` is the one place that says whether a product's driver and settings can run: provisioning
answers its own operators with it too, so billing and provisioning never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from abono.events.base import Event, Lane


class DriverConfiguration(BaseModel):
    """The names provisioning's settings configure (never their URLs or secrets)."""

    model_config = ConfigDict(frozen=True)

    driver_aliases: dict[str, str]  # catalog driver name → whm | manual | http (PROVISIONING_DRIVER_ALIASES)
    whm_servers: list[str]  # PROVISIONING_WHM_SERVERS' names
    whm_default_server: str | None = None  # used when a product names no `server`
    http_endpoints: list[str]  # PROVISIONING_HTTP_ENDPOINTS' names
    registrar_drivers: list[str]  # the catalog driver names that mean the domain registrar
    registrar_configured: bool  # PROVISIONING_RESELLERCLUB is set
    nic_ar_configured: bool = False  # PROVISIONING_NICAR is set: .ar names go to NIC Argentina (#21)

    def problem(self, driver: str, settings: Mapping[str, object]) -> str | None:
        """Why a service of `driver` with the product's `settings` (driver_settings) cannot run, or None if it can."""
        if driver in self.registrar_drivers:
            tld = str(settings.get("tld") or "").lower().strip(".")
            if tld == "ar" or tld.endswith(".ar"):  # NIC Argentina runs .ar itself (no registrar API: its RDAP)
                return None if self.nic_ar_configured else "no NIC Argentina RDAP is configured (PROVISIONING_NICAR)"
            return None if self.registrar_configured else "no registrar is configured (PROVISIONING_RESELLERCLUB)"
        kind = self.driver_aliases.get(driver, driver)
        if kind == "manual":
            return None
        if kind == "whm":
            server = settings.get("server") or self.whm_default_server
            if server is None and len(self.whm_servers) == 1:
                server = self.whm_servers[0]
            if str(server) in self.whm_servers:
                return None
            return f"no WHM server {server!r} is configured (PROVISIONING_WHM_SERVERS)"
        endpoint = str(settings.get("endpoint") or driver)
        if endpoint in self.http_endpoints:
            return None
        return f"driver {driver!r}: no HTTP endpoint {endpoint!r} is configured (PROVISIONING_HTTP_ENDPOINTS)"


class DriversConfigured(Event):
    """Provisioning (re)started with this driver configuration: what it can run from now on. Every replica sends one
    at start-up; consumers keep the latest by `occurred_at`."""

    routing_key: ClassVar[str] = "provisioning.drivers.configured"
    lane: ClassVar[Lane] = Lane.STANDARD
    configuration: DriverConfiguration


class DriversRequested(Event):
    """Billing (re)started and asks provisioning for its driver configuration: a `DriversConfigured` answers."""

    routing_key: ClassVar[str] = "billing.drivers.requested"
    lane: ClassVar[Lane] = Lane.STANDARD

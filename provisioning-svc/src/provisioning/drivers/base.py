"""P-4: one interface for every way a service is provisioned (hosting panels, provider APIs, people)."""

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class DriverError(Exception):
    """The provider refused or could not be reached; the action is retried with back-off."""


class DriverNotConfigured(DriverError):
    """This installation has no server, endpoint or registrar for the driver (#19 item 3): retrying cannot help
    until an operator configures it, so the action waits at the longest back-off and is listed with this reason."""


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ABSENT = "absent"
    UNKNOWN = "unknown"  # a provider that cannot tell (manual products)


@dataclass(frozen=True)
class Account:
    """What a driver needs to act on one service's account."""

    service_id: uuid.UUID
    client_id: uuid.UUID
    product_code: str
    product_name: str
    kind: str
    domain: str | None
    settings: dict[str, Any]  # the product's `driver_settings` (after any upgrade)
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class DriverCall:
    """One action: its id is the idempotency key a provider sees on every retry."""

    action_id: int
    account: Account
    reason: str | None = None
    package: str | None = None  # change_package: the new plan


@dataclass(frozen=True)
class Provisioned:
    """The outcome of `create`: access data (P-7), and whether the account exists now (False: a task is open)."""

    completed: bool = True
    panel_url: str | None = None
    username: str | None = None
    password: str | None = None
    manual_url: str | None = None
    downloads: list[dict[str, str]] = field(default_factory=list)
    server: str | None = None  # the server the account lives on, where the driver knows it (S-4 status page)


class ProvisioningDriver(Protocol):
    """Every call is idempotent: repeating one that already took effect succeeds without a second effect."""

    async def create(self, call: DriverCall) -> Provisioned: ...

    async def suspend(self, call: DriverCall) -> None: ...

    async def unsuspend(self, call: DriverCall) -> None: ...

    async def terminate(self, call: DriverCall) -> None: ...

    async def change_package(self, call: DriverCall) -> None: ...

    async def status(self, call: DriverCall) -> AccountStatus: ...

"""D-2/D-3: one interface for every registrar. Calls that change something are idempotent (P-4): repeating one
that already took effect succeeds without a second effect (a second registration, a second year of renewal)."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from provisioning.drivers.base import DriverError, DriverNotConfigured


class RegistrarError(DriverError):
    """The registrar refused or could not be reached; an action is retried with back-off (P-4)."""


class RegistrarNotConfigured(RegistrarError, DriverNotConfigured):
    """No registrar is configured (PROVISIONING_RESELLERCLUB): a configuration problem, not a registrar's failure."""


class Availability(StrEnum):
    AVAILABLE = "available"
    TAKEN = "taken"
    UNKNOWN = "unknown"


class RegistryStatus(StrEnum):
    """Where the domain stands at the registry, as the sync reports it."""

    ACTIVE = "active"
    PENDING_TRANSFER = "pending_transfer"
    EXPIRED = "expired"  # past its expiry, still restorable (grace / redemption)
    DELETED = "deleted"  # gone from the registry (D-2: the client is told)
    ABSENT = "absent"  # not in our registrar account (never registered, or transferred out)


@dataclass(frozen=True)
class Contact:
    """The registrant (used for every role): what ICANN and ccTLD registries require."""

    name: str
    email: str
    address: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    postal_code: str
    phone_cc: str  # country calling code, digits
    phone: str  # digits
    company: str = ""
    state: str = ""
    language: str = "es"
    tax_id: str = ""  # CUIT/CUIL (or NIC Argentina's id for a non-resident): NIC Argentina needs it for .ar


@dataclass(frozen=True)
class DomainState:
    """What the registrar says about one domain."""

    name: str
    status: RegistryStatus
    order_id: str | None = None
    expires_on: date | None = None
    nameservers: tuple[str, ...] = ()
    locked: bool = False


@dataclass(frozen=True)
class DomainRequest:
    """A registration or transfer in. `key` is the action's idempotency key (its id)."""

    key: int
    name: str
    years: int
    contact: Contact
    customer_ref: str  # our client id: one registrar customer per client
    nameservers: tuple[str, ...]
    epp_code: str | None = None  # transfer in


@dataclass(frozen=True)
class Suggestion:
    name: str
    availability: Availability


class Registrar(Protocol):
    async def check(self, label: str, tlds: list[str]) -> dict[str, Availability]:
        """Availability of `label` under each TLD (`com`, `com.ar`): full name -> availability."""
        ...

    async def suggest(self, keyword: str, tlds: list[str], limit: int) -> list[Suggestion]: ...

    async def register(self, request: DomainRequest) -> DomainState: ...

    async def transfer_in(self, request: DomainRequest) -> DomainState: ...

    async def renew(self, name: str, *, years: int, expires_on: date) -> DomainState:
        """Renew from the expiry we know (`expires_on`); done already if the registry's expiry is past it."""
        ...

    async def set_nameservers(self, name: str, nameservers: tuple[str, ...]) -> None: ...

    async def get_contact(self, name: str) -> Contact | None: ...

    async def set_contact(self, name: str, contact: Contact, *, customer_ref: str) -> None: ...

    async def set_lock(self, name: str, locked: bool) -> None: ...

    async def epp_code(self, name: str) -> str: ...

    async def state(self, name: str) -> DomainState:
        """The sync: status, expiry, nameservers and lock (ABSENT if our account has no such domain)."""
        ...

"""Helpers of the provisioning tests (importable: conftest puts this folder on sys.path)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr

from abono.events import (
    ClientProfile,
    ClientRegistered,
    ClientVerified,
    EmailVerified,
    Event,
    InvoicePaid,
    ServiceOrdered,
)
from abono.testing import ServedService, amqp_url_for, bearer, fetch_rows, publish_events, standalone_platform, wait_for
from provisioning.config import HttpEndpoint, ProvisioningSettings, WhmServer
from provisioning.fakes import FakeProvider, FakeWhm
from provisioning.registrar_fake import FakeResellerClub
from provisioning.registrar_fake_nicar import FakeNicArgentina
from provisioning.registrars.nicar import NicArgentinaSettings
from provisioning.registrars.resellerclub import ResellerClubSettings

SECRET_KEY = Fernet.generate_key().decode()
# Our own virtual host: the other services' tests (run in parallel by other people) publish billing events to
# the shared test vhost, and their platforms consume `provisioning.billing` there too.
VHOST = "abono_test_provisioning"
BROKER_URL = amqp_url_for(VHOST)
# billing's own tests publish orders to the same test broker: the served app starts on empty queues
QUEUES = ("provisioning.billing", "provisioning.gateway")


@dataclass
class Fakes:
    whm: FakeWhm
    whm_url: str
    provider: FakeProvider
    provider_url: str
    registrar: FakeResellerClub
    registrar_url: str
    nicar: FakeNicArgentina  # NIC Argentina's RDAP (.ar)
    nicar_url: str


Served = ServedService


def make_settings(database_url: str, fakes: Fakes, **overrides: Any) -> ProvisioningSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "platform": standalone_platform(BROKER_URL),
        "secret_keys": [SecretStr(SECRET_KEY)],
        "whm_servers": {"whm1": WhmServer(url=fakes.whm_url, token=SecretStr(fakes.whm.token),
                                          panel_url="https://cpanel.example.test:2083")},
        "http_endpoints": {"radio": HttpEndpoint(url=f"{fakes.provider_url}/provision",
                                                 secret=SecretStr(fakes.provider.secret))},
        "resellerclub": ResellerClubSettings(url=f"{fakes.registrar_url}/api", auth_userid=fakes.registrar.auth_userid,
                                             api_key=SecretStr(fakes.registrar.api_key), timeout_seconds=5),
        "nicar": NicArgentinaSettings(rdap_url=fakes.nicar_url, timeout_seconds=5),
        "nicar_task_recheck_seconds": 0.1,
        "outbox_sweep_seconds": 0.5,
        "action_poll_seconds": 0.05,
        "action_retry_base_seconds": 0.05,
        "action_retry_max_seconds": 0.2,
    }
    values.update(overrides)
    return ProvisioningSettings(**values)


auth = bearer


def ordered(client_id: uuid.UUID, *, driver: str = "whm", activation: str = "automatic", kind: str = "hosting",
            settings: dict[str, Any] | None = None, domain: str | None = "ejemplo.com.ar",
            invoice_id: uuid.UUID | None = None) -> ServiceOrdered:
    defaults = {"whm": {"server": "whm1", "package": "basic"}, "http": {"endpoint": "radio", "plan": "radio-64"}}
    return ServiceOrdered(
        service_id=uuid.uuid4(), client_id=client_id, invoice_id=invoice_id or uuid.uuid4(),
        product_id=uuid.uuid4(), product_code=f"{kind}-basic", product_name=f"{kind.title()} Basic", kind=kind,
        cycle="annual", activation=activation, driver=driver,
        driver_settings=settings if settings is not None else defaults.get(driver, {}), domain=domain,
    )


async def publish_as_billing(*events: Event) -> None:
    """Publish contract events straight to `abono.events`, as billing's relay would (same body and message id)."""
    await publish_events(*events, amqp_url=BROKER_URL)


fetch = fetch_rows


async def service_state(database_url: str, service_id: uuid.UUID) -> str | None:
    rows = await fetch(database_url, "SELECT state FROM services WHERE id = $1", service_id)
    return str(rows[0]["state"]) if rows else None


def paid(order: ServiceOrdered, **overrides: Any) -> InvoicePaid:
    """The InvoicePaid billing sends for an order's first invoice."""
    values: dict[str, Any] = {
        "invoice_id": order.invoice_id, "client_id": order.client_id, "number": "F-0001",
        "total": {"amount_minor": 10_000, "currency": "USD"}, "paid_at": datetime.now(UTC), "method": "card",
        "activate_service_ids": [order.service_id],
    }
    values.update(overrides)
    return InvoicePaid(**values)


def renewal_paid(client_id: uuid.UUID, invoice_id: uuid.UUID, *, reactivate: list[uuid.UUID],
                 has_overdue: bool = False) -> InvoicePaid:
    return InvoicePaid(
        invoice_id=invoice_id, client_id=client_id, number="F-0002",
        total={"amount_minor": 10_000, "currency": "USD"}, paid_at=datetime.now(UTC), method="card",
        reactivate_service_ids=reactivate, client_has_overdue=has_overdue,
    )


async def events_for(database_url: str, service_id: uuid.UUID) -> list[str]:
    """Routing keys this service's events were emitted under, in order."""
    rows = await fetch(database_url, "SELECT routing_key FROM outbox WHERE payload->>'service_id' = $1 ORDER BY id",
                       str(service_id))
    return [str(r["routing_key"]) for r in rows]


async def wait_state(served: Served, service_id: uuid.UUID, state: str) -> None:
    async def reached() -> bool:
        return await service_state(served.database_url, service_id) == state

    await wait_for(reached, what=f"service {service_id} to be {state}")


async def wait_applied(served: Served, *event_ids: uuid.UUID) -> None:
    """Until the app's consumers applied these events (their inbox rows exist)."""
    await served.wait_applied(*event_ids)


def registered(client_id: uuid.UUID | None = None, *, email: str | None = None) -> ClientRegistered:
    """The gateway's sign-up event (the e-mail not verified yet)."""
    client_id = client_id or uuid.uuid4()
    return ClientRegistered(client_id=client_id, profile=ClientProfile(
        email=email or f"cliente-{client_id.hex[:10]}@example.test", name="Cliente de prueba"))


async def client_via_events(served: Served, *, verified: bool = True) -> ClientRegistered:
    """A client the gateway registered (and, when `verified`, whose e-mail and identity it verified: A-2), applied by
    the app. An unverified one has its e-mail verified but not its identity (P-6 needs the identity)."""
    signup = registered()
    events: list[Event] = [signup, EmailVerified(client_id=signup.client_id)]
    if verified:
        events.append(ClientVerified(client_id=signup.client_id, legal_name=signup.profile.name))
    await publish_as_billing(*events)
    await wait_applied(served, *(e.event_id for e in events))
    return signup

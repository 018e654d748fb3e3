"""Support's copies: the gateway's account events (contact data) and the services billing orders and provisioning
runs (what a ticket may concern; which support plan a client holds, S-3)."""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import (
    ClientRegistered,
    ClientUpdated,
    ServiceActivated,
    ServiceOrdered,
    ServiceReactivated,
    ServiceSuspended,
    ServiceTerminated,
    ServiceTransferred,
)
from abono.messaging.consumer import Consumer
from support.clients.repository import ClientRepository, ServiceRepository
from support.runtime import Runtime
from support.status.service import place_service

Lifecycle = ServiceActivated | ServiceReactivated | ServiceSuspended | ServiceTerminated
_LIFECYCLE: dict[type[Lifecycle], str] = {ServiceActivated: "active", ServiceReactivated: "active",
                                          ServiceSuspended: "suspended", ServiceTerminated: "terminated"}


def _status_handler(status: str) -> Callable[[AsyncSession, Lifecycle], Awaitable[None]]:
    async def handle(session: AsyncSession, event: Lifecycle) -> None:
        await ServiceRepository(session).set_status(service_id=event.service_id, client_id=event.client_id,
                                                    status=status, at=event.occurred_at)

    return handle


def clients_consumer(runtime: Runtime) -> Consumer:
    """The `support.clients` consumer."""
    consumer = Consumer("clients")

    @consumer.on(ClientRegistered)
    async def registered(session: AsyncSession, event: ClientRegistered) -> None:
        await ClientRepository(session).save_profile(event.client_id, event.profile, at=event.occurred_at)

    @consumer.on(ClientUpdated)
    async def updated(session: AsyncSession, event: ClientUpdated) -> None:
        await ClientRepository(session).save_profile(event.client_id, event.profile, at=event.occurred_at)

    @consumer.on(ServiceOrdered)
    async def ordered(session: AsyncSession, event: ServiceOrdered) -> None:
        await ServiceRepository(session).ordered(
            service_id=event.service_id, client_id=event.client_id, product_code=event.product_code,
            product_name=event.product_name, kind=event.kind, at=event.occurred_at)

    for event_type, status in _LIFECYCLE.items():
        if event_type is not ServiceActivated:
            consumer.on(event_type)(_status_handler(status))

    @consumer.on(ServiceActivated)
    async def activated(session: AsyncSession, event: ServiceActivated) -> None:
        await _status_handler("active")(session, event)
        if event.server:  # S-4: which server it sits on (the status page, incidents' clients, SLA credits)
            await place_service(session, runtime, service_id=event.service_id, server=event.server,
                                at=event.occurred_at)

    @consumer.on(ServiceTransferred)
    async def transferred(session: AsyncSession, event: ServiceTransferred) -> None:
        await ServiceRepository(session).transferred(service_id=event.service_id, to_client_id=event.to_client_id)

    return consumer

"""notify's copy of each service's name (from billing's orders), so messages can name the service.

Contacts themselves are kept by the notifications consumer, in the same transaction as the messages they enable."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ServiceOrdered
from abono.messaging.consumer import Consumer
from notify.contacts.repository import ContactRepository

consumer = Consumer("contacts")


@consumer.on(ServiceOrdered)
async def service_ordered(session: AsyncSession, event: ServiceOrdered) -> None:
    await ContactRepository(session).add_service(
        service_id=event.service_id, client_id=event.client_id, name=event.product_name, domain=event.domain
    )

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientRegistered, ClientUpdated
from abono.messaging.consumer import Consumer
from billing.clients.repository import ClientRepository

consumer = Consumer("clients")


@consumer.on(ClientRegistered)
async def client_registered(session: AsyncSession, event: ClientRegistered) -> None:
    await ClientRepository(session).upsert(event.client_id, event.profile, at=event.occurred_at)


@consumer.on(ClientUpdated)
async def client_updated(session: AsyncSession, event: ClientUpdated) -> None:
    await ClientRepository(session).upsert(event.client_id, event.profile, at=event.occurred_at)

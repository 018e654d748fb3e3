from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientRegistered, ClientUpdated
from abono.messaging.consumer import Consumer
from billing.clients.repository import ClientRepository

consumer = Consumer("clients")


@consumer.on(ClientRegistered)
async def client_registered(session: AsyncSession, event: ClientRegistered) -> None:
    repo = ClientRepository(session)
    await repo.upsert(event.client_id, event.profile, at=event.occurred_at)
    if event.referral_code:  # B-12/F-4: who referred this client (billing.promos.referral)
        await repo.record_referral(event.client_id, event.referral_code)


@consumer.on(ClientUpdated)
async def client_updated(session: AsyncSession, event: ClientUpdated) -> None:
    await ClientRepository(session).upsert(event.client_id, event.profile, at=event.occurred_at)

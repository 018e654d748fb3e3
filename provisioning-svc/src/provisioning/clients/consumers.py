"""The gateway's account events, kept as provisioning's copy of each client (who may receive a transfer, and
whether its identity is verified: P-6 needs it, A-2)."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientRegistered, ClientUpdated, ClientVerified, EmailVerified
from abono.messaging.consumer import Consumer
from provisioning.clients.repository import ClientRepository


def gateway_consumer() -> Consumer:
    """The `provisioning.gateway` consumer."""
    consumer = Consumer("gateway")

    @consumer.on(ClientRegistered)
    async def client_registered(session: AsyncSession, event: ClientRegistered) -> None:
        await ClientRepository(session).save_profile(event.client_id, event.profile, at=event.occurred_at)

    @consumer.on(ClientUpdated)
    async def client_updated(session: AsyncSession, event: ClientUpdated) -> None:
        await ClientRepository(session).save_profile(event.client_id, event.profile, at=event.occurred_at)

    @consumer.on(EmailVerified)
    async def email_verified(session: AsyncSession, event: EmailVerified) -> None:
        await ClientRepository(session).mark_verified(event.client_id, at=event.occurred_at)

    @consumer.on(ClientVerified)
    async def identity_verified(session: AsyncSession, event: ClientVerified) -> None:
        await ClientRepository(session).mark_identity_verified(event.client_id, at=event.occurred_at)

    return consumer

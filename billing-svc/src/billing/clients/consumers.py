from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientInvoicingIdentityChanged, ClientRegistered, ClientUpdated
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


@consumer.on(ClientInvoicingIdentityChanged)
async def invoicing_identity_changed(session: AsyncSession, event: ClientInvoicingIdentityChanged) -> None:
    """#15 item 6: the name, tax id and address the invoice document shows."""
    if not await ClientRepository(session).set_invoicing_identity(event):
        # Sign-up's ClientRegistered comes first on this queue; should it not have, a retry finds the client.
        raise LookupError(f"client {event.client_id} is not known to billing yet")

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientInvoicingIdentityChanged, ClientProfile
from billing.clients.models import Client


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> Client | None:
        return await self.session.get(Client, client_id)

    async def upsert(self, client_id: uuid.UUID, profile: ClientProfile, *, at: datetime) -> None:
        """Insert or update from an event; an older event never overwrites a newer profile."""
        values = {
            "email": profile.email,
            "name": profile.name,
            "country": profile.country,
            "currency": profile.currency,
            "language": profile.language,
            "updated_at": at,
        }
        stmt = insert(Client).values(id=client_id, registered_at=at, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Client.id], set_=values, where=Client.updated_at <= stmt.excluded.updated_at
        )
        await self.session.execute(stmt)

    async def set_invoicing_identity(self, event: ClientInvoicingIdentityChanged) -> bool:
        """#15 item 6: whom invoices are made out to; an older event never overwrites a newer identity. False when
        billing does not know the client (yet): the caller retries until its ClientRegistered has been applied."""
        client = await self.session.get(Client, event.client_id, with_for_update=True, populate_existing=True)
        if client is None:
            return False
        if client.invoicing_identity_at is None or client.invoicing_identity_at <= event.occurred_at:
            client.legal_name, client.tax_id, client.address = event.legal_name, event.tax_id, event.address
            client.invoicing_identity_at = event.occurred_at
            await self.session.flush()
        return True

    async def by_referral_code(self, code: str) -> Client | None:
        return await self.session.scalar(select(Client).where(Client.referral_code == code.strip().upper()))

    async def by_email(self, email: str) -> Client | None:
        return await self.session.scalar(
            select(Client).where(func.lower(Client.email) == email.strip().lower())
            .order_by(Client.registered_at).limit(1))

    async def record_referral(self, client_id: uuid.UUID, code: str) -> None:
        """B-12/F-4: the code a new client signed up with, once; its referrer when billing knows it (never itself)."""
        referrer = await self.by_referral_code(code)
        referrer_id = referrer.id if referrer is not None and referrer.id != client_id else None
        await self.session.execute(update(Client).where(Client.id == client_id, Client.referred_by_code.is_(None))
                                   .values(referred_by_code=code.strip().upper(), referrer_id=referrer_id))
        await self.session.flush()

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientProfile
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

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientProfile
from provisioning.clients.models import ClientCopy


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> ClientCopy | None:
        return await self.session.get(ClientCopy, client_id)

    async def by_email(self, email: str) -> ClientCopy | None:
        """The client with this e-mail, in any case (A-1: one account per e-mail, whatever its case)."""
        query = select(ClientCopy).where(func.lower(ClientCopy.email) == email.strip().lower()).limit(2)
        found = list((await self.session.scalars(query)).all())
        return found[0] if len(found) == 1 else None

    async def save_profile(self, client_id: uuid.UUID, profile: ClientProfile, *, at: datetime) -> None:
        """Insert or update the profile; an older event never overwrites a newer one."""
        values = {"email": profile.email, "name": profile.name, "profile_at": at}
        stmt = insert(ClientCopy).values(id=client_id, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ClientCopy.id], set_=values,
            where=func.coalesce(ClientCopy.profile_at, stmt.excluded.profile_at) <= stmt.excluded.profile_at,
        )
        await self.session.execute(stmt)

    async def mark_verified(self, client_id: uuid.UUID, *, at: datetime) -> None:
        """The e-mail is verified (kept from the first such event), even before its ClientRegistered arrives."""
        stmt = insert(ClientCopy).values(id=client_id, email_verified_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ClientCopy.id],
            set_={"email_verified_at": func.coalesce(ClientCopy.email_verified_at, stmt.excluded.email_verified_at)},
        )
        await self.session.execute(stmt)

    async def mark_identity_verified(self, client_id: uuid.UUID, *, at: datetime) -> None:
        """A-2: staff approved the client's identity (kept from the first such event), in any order of events."""
        stmt = insert(ClientCopy).values(id=client_id, identity_verified_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ClientCopy.id],
            set_={"identity_verified_at": func.coalesce(ClientCopy.identity_verified_at,
                                                        stmt.excluded.identity_verified_at)},
        )
        await self.session.execute(stmt)

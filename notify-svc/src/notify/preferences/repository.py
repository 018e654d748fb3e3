import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.preferences.models import Preference


class PreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> Preference | None:
        return await self.session.get(Preference, client_id)

    async def save(self, client_id: uuid.UUID, changes: dict[str, Any], *, at: datetime) -> Preference:
        """Apply `changes` (only the fields sent), creating the row on first use."""
        values = {**changes, "updated_at": at}
        stmt = insert(Preference).values(client_id=client_id, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[Preference.client_id], set_=values)
        await self.session.execute(stmt.returning(Preference.client_id))
        self.session.expire_all()
        preference = await self.get(client_id)
        assert preference is not None
        return preference

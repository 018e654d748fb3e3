import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientProfile
from notify.staff.models import StaffMember


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def set_role(self, staff_id: uuid.UUID, role: str, profile: ClientProfile, *, at: datetime) -> None:
        """Staff or admin: on the roster (an older event never overwrites a newer one); any other role: off it."""
        if role not in ("staff", "admin"):
            await self.session.execute(
                delete(StaffMember).where(StaffMember.staff_id == staff_id, StaffMember.updated_at <= at)
            )
            return
        values = {
            "role": role,
            "email": profile.email,
            "name": profile.name,
            "language": profile.language,
            "updated_at": at,
        }
        stmt = insert(StaffMember).values(staff_id=staff_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[StaffMember.staff_id],
                set_=values,
                where=StaffMember.updated_at <= stmt.excluded.updated_at,
            )
        )

    async def refresh_profile(self, staff_id: uuid.UUID, profile: ClientProfile, *, at: datetime) -> None:
        """A staff member edited its profile: the roster follows (nothing for a client)."""
        await self.session.execute(
            update(StaffMember)
            .where(StaffMember.staff_id == staff_id, StaffMember.updated_at <= at)
            .values(email=profile.email, name=profile.name, language=profile.language, updated_at=at)
        )

    async def get(self, staff_id: uuid.UUID) -> StaffMember | None:
        return await self.session.get(StaffMember, staff_id)

    async def everyone(self) -> Sequence[StaffMember]:
        return (await self.session.scalars(select(StaffMember).order_by(StaffMember.staff_id))).all()

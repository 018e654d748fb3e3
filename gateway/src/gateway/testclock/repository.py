from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.testclock.models import PlatformClockOffset


class ClockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_offset_us(self) -> int:
        """The stored offset in microseconds (0 if the clock was never moved)."""
        offset = await self.session.scalar(select(PlatformClockOffset.offset_us).where(PlatformClockOffset.id == 1))
        return int(offset or 0)

    async def save_offset_us(self, offset_us: int, *, at: datetime) -> None:
        stmt = insert(PlatformClockOffset).values(id=1, offset_us=offset_us, updated_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[PlatformClockOffset.id], set_={"offset_us": offset_us, "updated_at": at}
        )
        await self.session.execute(stmt)

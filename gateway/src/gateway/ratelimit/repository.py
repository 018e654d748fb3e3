from datetime import datetime

from sqlalchemy import case, delete, literal
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ratelimit.models import RateLimitCounter


class RateLimitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hit(self, key: str, *, window_started_at: datetime, window_ends_at: datetime) -> int:
        """Count one attempt of `key` in the window starting at `window_started_at`; returns the window's count.

        One atomic upsert: concurrent attempts on any replica serialize on the row, none is lost.
        """
        insert_stmt = insert(RateLimitCounter).values(
            key=key, window_started_at=window_started_at, hits=1, expires_at=window_ends_at
        )
        # A new window starts the count again at 1; the same window adds one.
        same_window = RateLimitCounter.window_started_at == insert_stmt.excluded.window_started_at
        upsert = insert_stmt.on_conflict_do_update(
            index_elements=[RateLimitCounter.key],
            set_={
                "hits": case((same_window, RateLimitCounter.hits + 1), else_=literal(1)),
                "window_started_at": insert_stmt.excluded.window_started_at,
                "expires_at": insert_stmt.excluded.expires_at,
            },
        ).returning(RateLimitCounter.hits)
        return int((await self.session.execute(upsert)).scalar_one())

    async def prune(self, *, before: datetime) -> None:
        """Delete counters whose window ended before `before`."""
        await self.session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < before))

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.recovery.models import PasswordResetToken


class PasswordResetTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: PasswordResetToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def get_for_update(self, token_hash: bytes) -> PasswordResetToken | None:
        """The token row, locked: two submissions of the same link cannot both use it."""
        result = await self.session.execute(
            select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash).with_for_update()
        )
        return result.scalar_one_or_none()

    async def use_all_of(self, user_id: uuid.UUID, *, at: datetime) -> None:
        """Mark every unused link of the user used: after a reset, older links are worthless."""
        await self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=at)
        )

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.models import EmailVerificationToken, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def get_for_update(self, user_id: uuid.UUID) -> User | None:
        """The account row, locked: of two concurrent closures, the second sees it closed."""
        result = await self.session.execute(select(User).where(User.id == user_id).with_for_update())
        return result.scalar_one_or_none()

    async def get_by_email(self, email: str) -> User | None:
        """The account of `email` in any letter case (A-1)."""
        result = await self.session.execute(select(User).where(func.lower(User.email) == email.lower()))
        return result.scalar_one_or_none()

    async def add(self, user: User) -> User:
        """Insert `user`; a duplicate e-mail surfaces here as the unique index's IntegrityError."""
        self.session.add(user)
        await self.session.flush()
        return user


class VerificationTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: EmailVerificationToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def get_for_update(self, token_hash: bytes) -> EmailVerificationToken | None:
        """The token row, locked: two clicks on the same link cannot both use it."""
        result = await self.session.execute(
            select(EmailVerificationToken).where(EmailVerificationToken.token_hash == token_hash).with_for_update()
        )
        return result.scalar_one_or_none()

    async def use_all_of(self, user_id: uuid.UUID, *, at: datetime) -> None:
        """Mark every unused token of the user used: once verified, older links are worthless."""
        await self.session.execute(
            update(EmailVerificationToken)
            .where(EmailVerificationToken.user_id == user_id, EmailVerificationToken.used_at.is_(None))
            .values(used_at=at)
        )

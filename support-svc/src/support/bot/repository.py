from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from support.bot.models import BotConversation, BotTurn


class BotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *rows: BotConversation | BotTurn) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def get(self, conversation_id: uuid.UUID, *, for_update: bool = False) -> BotConversation | None:
        query = select(BotConversation).where(BotConversation.id == conversation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def turns(self, conversation_id: uuid.UUID) -> Sequence[BotTurn]:
        return (
            await self.session.scalars(
                select(BotTurn).where(BotTurn.conversation_id == conversation_id).order_by(BotTurn.position)
            )
        ).all()

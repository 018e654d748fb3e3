from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from support.ideas.models import Idea, IdeaVote


class IdeaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, idea: Idea) -> None:
        self.session.add(idea)
        await self.session.flush()

    async def get(self, idea_id: uuid.UUID, *, for_update: bool = False) -> Idea | None:
        query = select(Idea).where(Idea.id == idea_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def ideas(self, *, status: str | None, limit: int, offset: int) -> Sequence[Idea]:
        query = select(Idea)
        if status is not None:
            query = query.where(Idea.status == status)
        return (
            await self.session.scalars(
                query.order_by(Idea.votes.desc(), Idea.created_at.desc()).limit(limit).offset(offset)
            )
        ).all()

    async def vote_once(self, idea_id: uuid.UUID, client_id: uuid.UUID, at: datetime) -> bool:
        stmt = (
            insert(IdeaVote)
            .values(idea_id=idea_id, client_id=client_id, voted_at=at)
            .on_conflict_do_nothing(index_elements=[IdeaVote.idea_id, IdeaVote.client_id])
            .returning(IdeaVote.client_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def voters(self, idea_id: uuid.UUID) -> Sequence[uuid.UUID]:
        return (
            await self.session.scalars(
                select(IdeaVote.client_id).where(IdeaVote.idea_id == idea_id).order_by(IdeaVote.voted_at)
            )
        ).all()

    async def voted_by(self, client_id: uuid.UUID, idea_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not idea_ids:
            return set()
        return set(
            (
                await self.session.scalars(
                    select(IdeaVote.idea_id).where(
                        IdeaVote.client_id == client_id, IdeaVote.idea_id.in_(list(idea_ids))
                    )
                )
            ).all()
        )

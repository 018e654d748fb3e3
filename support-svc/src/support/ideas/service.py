"""S-5 ideas board: a client posts an idea; each client votes once (the `idea_votes` key); the vote that brings an
open idea to `idea_votes_to_approve` approves it; staff mark it planned, then shipped. Its voters are told when it is
approved and when it is shipped, once each (the idea's row lock orders the votes; the status changes once)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, NotFound
from abono.events import IdeaVoterTold
from abono.messaging import emit
from support.ideas.models import Idea
from support.ideas.repository import IdeaRepository
from support.ideas.schemas import IdeaCreate, IdeaPublic
from support.runtime import Runtime

NEXT = {"planned": ("approved", "open"), "shipped": ("planned", "approved", "open")}


async def post_idea(session: AsyncSession, runtime: Runtime, *, client_id: uuid.UUID, body: IdeaCreate) -> Idea:
    idea = Idea(
        id=uuid.uuid4(),
        client_id=client_id,
        title=body.title.strip(),
        body=body.body.strip(),
        status="open",
        votes=0,
        created_at=runtime.clock.now(),
    )
    await IdeaRepository(session).add(idea)
    return idea


async def _tell_voters(session: AsyncSession, idea: Idea) -> None:
    voters = await IdeaRepository(session).voters(idea.id)
    await emit(
        session,
        *(
            IdeaVoterTold(idea_id=idea.id, client_id=voter, title=idea.title, status=idea.status, votes=idea.votes)
            for voter in voters
        ),
    )


async def vote(session: AsyncSession, runtime: Runtime, *, idea_id: uuid.UUID, client_id: uuid.UUID) -> Idea:
    repo = IdeaRepository(session)
    idea = await repo.get(idea_id, for_update=True)
    if idea is None:
        raise NotFound("No such idea.")
    now = runtime.clock.now()
    if not await repo.vote_once(idea_id, client_id, now):
        raise Conflict("You already voted for this idea.")
    idea.votes += 1
    if idea.status == "open" and idea.votes >= runtime.settings.idea_votes_to_approve:
        idea.status, idea.approved_at = "approved", now
        await _tell_voters(session, idea)
    return idea


async def set_status(session: AsyncSession, runtime: Runtime, *, idea_id: uuid.UUID, status: str) -> Idea:
    idea = await IdeaRepository(session).get(idea_id, for_update=True)
    if idea is None:
        raise NotFound("No such idea.")
    if idea.status == status:
        return idea
    if idea.status not in NEXT[status]:
        raise Conflict(f"An idea {idea.status} cannot become {status}.")
    now = runtime.clock.now()
    idea.status = status
    if status == "planned":
        idea.planned_at = now
    else:
        idea.shipped_at = now
        await _tell_voters(session, idea)
    return idea


async def views(session: AsyncSession, ideas: Sequence[Idea], viewer: uuid.UUID | None) -> list[IdeaPublic]:
    voted = await IdeaRepository(session).voted_by(viewer, [i.id for i in ideas]) if viewer else set()
    return [
        IdeaPublic(
            id=i.id,
            title=i.title,
            body=i.body,
            status=i.status,
            votes=i.votes,
            voted=i.id in voted,
            mine=i.client_id == viewer,
            created_at=i.created_at,
            approved_at=i.approved_at,
            planned_at=i.planned_at,
            shipped_at=i.shipped_at,
        )
        for i in ideas
    ]

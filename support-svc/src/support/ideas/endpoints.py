"""S-5 ideas board over HTTP: clients post, list and vote; staff mark ideas planned or shipped."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import Forbidden, problem_responses
from support.ideas import service
from support.ideas.repository import IdeaRepository
from support.ideas.schemas import IdeaCreate, IdeaPublic, IdeaStatusChange
from support.runtime import RuntimeDep

router = APIRouter(tags=["ideas"])
StatusQuery = Annotated[Literal["open", "approved", "planned", "shipped"] | None, Query()]


@router.post("/ideas", status_code=201, summary="Post an idea for the feature board",
             responses=problem_responses(401, 403))
async def post_idea(
    body: IdeaCreate, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> IdeaPublic:
    """Clients only (403 for staff). Posts an idea for the feature board; it starts open with no votes. Returns the
    idea.
    """
    if principal.is_staff:
        raise Forbidden("Ideas come from clients.")
    idea = await service.post_idea(session, runtime, client_id=principal.user_id, body=body)
    return (await service.views(session, [idea], principal.user_id))[0]


@router.get("/ideas", summary="Ideas, most voted first (filter by status)", responses=problem_responses(401))
async def list_ideas(
    principal: CurrentPrincipal,
    session: ReadSessionDep,
    status: StatusQuery = None,
    limit: PageSizeQuery = 100,
    offset: OffsetQuery = 0,
) -> list[IdeaPublic]:
    """Any signed-in user. The ideas of the board, the most voted first, optionally with one `status` (open, approved,
    planned, shipped), paged with `limit` and `offset`. For a client, each says whether it voted.
    """
    ideas = await IdeaRepository(session).ideas(status=status, limit=limit, offset=offset)
    return await service.views(session, ideas, None if principal.is_staff else principal.user_id)


@router.post(
    "/ideas/{idea_id}/vote",
    summary="Vote once for an idea; the 4th vote approves it and its voters are told",
    responses=problem_responses(401, 403, 404, 409),
)
async def vote(idea_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep) -> IdeaPublic:
    """Clients only. Adds the caller's vote: once per idea (409 on a second vote). The 4th vote approves an open idea
    and its voters are notified. Returns the idea.
    """
    if principal.is_staff:
        raise Forbidden("Votes come from clients.")
    idea = await service.vote(session, runtime, idea_id=idea_id, client_id=principal.user_id)
    return (await service.views(session, [idea], principal.user_id))[0]


@router.post(
    "/ideas/{idea_id}/status",
    summary="Staff: mark an idea planned or shipped (shipped: voters told)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def set_status(
    idea_id: uuid.UUID, body: IdeaStatusChange, _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> IdeaPublic:
    """Staff only. Marks an idea planned or shipped; when shipped, its voters are notified. 409 when the idea's current
    status does not allow that change.
    """
    idea = await service.set_status(session, runtime, idea_id=idea_id, status=body.status)
    return (await service.views(session, [idea], None))[0]

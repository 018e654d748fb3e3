"""Operators' view of driver actions that keep failing (P-4). They are retried by themselves; "retry now" only
brings the next attempt forward (it changes no service state, so it is no manual suspend/unsuspend: P-5)."""

from typing import Any

from fastapi import APIRouter, Query

from abono.auth import StaffPrincipal
from abono.bounds import SerialIdPath
from abono.db import SessionDep
from abono.errors import Conflict, NotFound
from provisioning.actions.repository import ActionRepository
from provisioning.actions.schemas import DriverActionPublic
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import Cause, note
from provisioning.runtime import RuntimeDep

router = APIRouter(prefix="/staff/actions", tags=["staff: driver actions"])
STAFF: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad access token"}, 403: {"description": "Staff only"},
}


@router.get(
    "/failed", summary="Driver actions that failed and are waiting for their next attempt", responses=STAFF,
    description="Each with its last error. `not_configured` says what this installation lacks for the service to "
                "run (a WHM server, an HTTP endpoint, the registrar): such a service stays `pending` until you "
                "configure it and restart provisioning; it is not retried in a loop meanwhile. "
                "`not_configured_only=true` lists just those.",
)
async def failed_actions(_: StaffPrincipal, session: SessionDep, runtime: RuntimeDep,
                         limit: int = Query(100, ge=1, le=1000),
                         not_configured_only: bool = False) -> list[DriverActionPublic]:
    rows = await ActionRepository(session).failing(
        min_attempts=runtime.settings.action_failing_after_attempts, limit=limit)
    services = {s.id: s for s in await ServiceRepository(session).many({r.service_id for r in rows})}
    listed = []
    for row in rows:
        service = services.get(row.service_id)
        problem = runtime.drivers.configuration_problem(row.driver, service.driver_settings if service else {})
        if problem is not None or not not_configured_only:
            listed.append(DriverActionPublic.model_validate(row).model_copy(update={"not_configured": problem}))
    return listed


@router.post("/{action_id}/retry", summary="Attempt a failing action again now",
             responses={**STAFF, 404: {"description": "No such action"}, 409: {"description": "Already done"}})
async def retry_action(action_id: SerialIdPath, principal: StaffPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> DriverActionPublic:
    """Staff only. Brings the next attempt of a failing driver action forward to now; it changes nothing else about the
    service, and the attempt itself runs in the background. Returns the action; 404 if there is no such action, 409 if
    it is no longer pending (already done). Recorded in the service's audit trail with the staff member's id."""
    action = await ActionRepository(session).get_for_update(action_id)
    if action is None:
        raise NotFound("No such action.")
    if action.status != "pending":
        raise Conflict("This action is already done.")
    action.next_attempt_at = runtime.clock.now()
    await session.flush()
    service = await ServiceRepository(session).get(action.service_id)
    if service is not None:  # issue 14 item 7: who brought the attempt forward, and when
        await note(session, service=service, action="retry_driver_action", now=runtime.clock.now(),
                   cause=Cause(decided_by="staff", actor_id=principal.user_id, note=f"{action.kind} #{action.id}"))
    return DriverActionPublic.model_validate(action)

"""P-3: the staff task queue of manual products (due dates in business days, overdue flag)."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from abono.auth import StaffPrincipal
from abono.db import SessionDep
from provisioning.drivers.base import Provisioned
from provisioning.runtime import RuntimeDep
from provisioning.tasks import service
from provisioning.tasks.models import StaffTask
from provisioning.tasks.schemas import StaffTaskPublic, TaskCompletion

router = APIRouter(prefix="/staff/tasks", tags=["staff: manual tasks"])
STAFF: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad access token"}, 403: {"description": "Staff only"},
}


def task_public(task: StaffTask, runtime: RuntimeDep) -> StaffTaskPublic:
    today = runtime.calendar.local_date(runtime.clock.now())
    public = StaffTaskPublic.model_validate(task)
    public.overdue = task.completed_at is None and task.due_on < today
    return public


@router.get("", summary="Staff tasks by due date", responses=STAFF)
async def list_tasks(
    _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep,
    status: str = Query("open", max_length=7, pattern="^(open|overdue|all)$"), limit: int = Query(100, ge=1, le=1000),
) -> list[StaffTaskPublic]:
    """Staff only. The manual work for products provisioned by hand, soonest due date first: `status=open` (the default)
    lists the tasks not completed yet, `overdue` only those past their due date, `all` completed ones too. Due dates
    count business days; each task says whether it is `overdue`."""
    today = runtime.calendar.local_date(runtime.clock.now())
    tasks = await service.list_tasks(session, open_only=status != "all",
                                     overdue_on=today if status == "overdue" else None, limit=limit)
    return [task_public(t, runtime) for t in tasks]


@router.post("/{task_id}/complete", summary="Complete a task (a set-up task activates the service)",
             responses={**STAFF, 404: {"description": "No such task"}, 409: {"description": "Already completed"}})
async def complete_task(task_id: uuid.UUID, body: TaskCompletion, principal: StaffPrincipal, session: SessionDep,
                        runtime: RuntimeDep) -> StaffTaskPublic:
    """Staff only. Marks a task done, with an optional note. Completing a set-up task activates its service with the
    access data given in the body (panel URL, username, password, manual URL, downloads), which the client then sees and
    is told about. 404 if there is no such task, 409 if it is already completed."""
    access = Provisioned(panel_url=body.panel_url, username=body.username, password=body.password,
                         manual_url=body.manual_url, downloads=body.downloads)
    task = await service.complete_task(session, task_id=task_id, staff_id=principal.user_id, note=body.note,
                                       access=access, box=runtime.box, now=runtime.clock.now())
    return task_public(task, runtime)

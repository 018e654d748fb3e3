"""P-8 over HTTP: the client's migration requests on its own hosting services, and the staff queue."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.db import SessionDep
from provisioning.runtime import RuntimeDep
from provisioning.site_migrations import service
from provisioning.site_migrations.schemas import (
    MigrationCreate,
    MigrationDone,
    MigrationProgress,
    MigrationPublic,
    OldServerAccess,
    StaffMigration,
)

client_router = APIRouter(prefix="/services", tags=["migrations"])
staff_router = APIRouter(prefix="/staff/migrations", tags=["staff: migrations"])
AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "No or bad access token"}}
STAFF: dict[int | str, dict[str, Any]] = {**AUTH, 403: {"description": "Staff only"}}
ONE: dict[int | str, dict[str, Any]] = {404: {"description": "No such migration request"}}


@client_router.post(
    "/{service_id}/migrations", status_code=201, summary="Ask to migrate a site into my hosting",
    responses={**AUTH, 404: {"description": "No such service of yours"},
               409: {"description": "Not an active hosting service, or a migration is already under way"}},
)
async def request_migration(service_id: uuid.UUID, body: MigrationCreate, principal: CurrentPrincipal,
                            session: SessionDep, runtime: RuntimeDep) -> MigrationPublic:
    """Any signed-in client, for one of its own active hosting services. `mode: staff` ("we migrate everything"):
    give the old server's address, user and password; our staff move the site, databases and e-mail accounts within a
    few business days (`due_on`) and you follow their progress here. The access is stored encrypted and shown to
    staff only when they start the work. `mode: self` ("I migrate it myself"): nothing is asked of staff; follow the
    instructions on your service page. Another client's service answers 404."""
    row = await service.request_migration(
        session, client_id=principal.user_id, service_id=service_id, body=body, box=runtime.box,
        settings=runtime.settings, calendar=runtime.calendar, now=runtime.clock.now(),
    )
    return service.public(row)


@client_router.get("/{service_id}/migrations", summary="My migration requests for one service",
                   responses={**AUTH, 404: {"description": "No such service of yours"}})
async def my_migrations(service_id: uuid.UUID, principal: CurrentPrincipal,
                        session: SessionDep) -> list[MigrationPublic]:
    """Any signed-in client, for one of its own services: its migration requests, newest first, with their state
    (`requested`, `in_progress`, `done`, or `self` when you migrate it yourself), deadline and the staff's latest
    progress note. The old server's access is never shown back."""
    rows = await service.of_service(session, client_id=principal.user_id, service_id=service_id)
    return [service.public(r) for r in rows]


@staff_router.get("", summary="Migration requests to do, overdue first (staff)", responses=STAFF)
async def staff_migrations(
    _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep,
    status: str = Query("open", max_length=4, pattern="^(open|all)$"), limit: int = Query(100, ge=1, le=1000),
) -> list[StaffMigration]:
    """Staff only. The "we migrate everything" requests: open ones by due date (overdue first, each flagged), then,
    with `status=all`, the finished ones. Lists never include the old server's access: reveal it one request at a
    time."""
    today = runtime.calendar.local_date(runtime.clock.now())
    rows = await service.staff_queue(session, open_only=status == "open", limit=limit)
    return [service.for_staff(r, today) for r in rows]


@staff_router.post("/{request_id}/reveal", summary="Show the old server's access (staff)",
                   responses={**STAFF, **ONE})
async def reveal_access(request_id: uuid.UUID, principal: StaffPrincipal, session: SessionDep,
                        runtime: RuntimeDep) -> OldServerAccess:
    """Staff only. Decrypts the old server's address, user and password for the staff member doing the migration; who
    looked and when is kept in the service's audit trail."""
    return await service.reveal(session, request_id=request_id, staff_id=principal.user_id, box=runtime.box,
                                now=runtime.clock.now())


@staff_router.post("/{request_id}/progress", summary="Tell the client how the migration goes (staff)",
                   responses={**STAFF, **ONE, 409: {"description": "Already done"}})
async def note_progress(request_id: uuid.UUID, body: MigrationProgress, principal: StaffPrincipal,
                        session: SessionDep, runtime: RuntimeDep) -> StaffMigration:
    """Staff only. A short note the client reads on its service page, replacing the previous one. 409 once the
    migration is done."""
    row = await service.progress(session, request_id=request_id, staff_id=principal.user_id, text=body.note,
                                 now=runtime.clock.now())
    return service.for_staff(row, runtime.calendar.local_date(runtime.clock.now()))


@staff_router.post("/{request_id}/done", summary="Mark a migration done (staff)",
                   responses={**STAFF, **ONE, 409: {"description": "Already done"}})
async def mark_done(request_id: uuid.UUID, body: MigrationDone, principal: StaffPrincipal, session: SessionDep,
                    runtime: RuntimeDep) -> StaffMigration:
    """Staff only. Completes the migration and its task in the staff queue, with an optional note; the client sees
    it done. 409 if it already is."""
    row = await service.finish(session, request_id=request_id, staff_id=principal.user_id, text=body.note,
                               box=runtime.box, now=runtime.clock.now())
    return service.for_staff(row, runtime.calendar.local_date(runtime.clock.now()))

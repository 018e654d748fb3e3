"""P-8: a client asks to move a site into one of its active hosting services; staff see the old server's access only
on request (audited), note progress and finish the task. Callers commit (services only flush)."""

import json
import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.crypto import SecretBox
from abono.errors import Conflict, NotFound
from provisioning.business_calendar import BusinessCalendar
from provisioning.config import ProvisioningSettings
from provisioning.instances.lifecycle import State as ServiceState
from provisioning.instances.models import ServiceInstance
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import Cause, note
from provisioning.site_migrations.models import MigrationRequest
from provisioning.site_migrations.repository import MigrationRepository, Row
from provisioning.site_migrations.schemas import MigrationCreate, MigrationPublic, OldServerAccess, StaffMigration
from provisioning.tasks import service as tasks
from provisioning.tasks.models import StaffTask


def state_of(request: MigrationRequest, task: StaffTask | None) -> str:
    if request.mode == "self":
        return "self"
    if task is not None and task.completed_at is not None:
        return "done"
    return "in_progress" if request.progress_note else "requested"


def public(row: Row) -> MigrationPublic:
    request, task, _ = row
    return MigrationPublic(
        id=request.id, service_id=request.service_id, mode=request.mode,
        state=state_of(request, task), due_on=task.due_on if task else None,
        progress_note=request.progress_note, progress_at=request.progress_at,
        done_at=task.completed_at if task else None, created_at=request.created_at,
    )


def for_staff(row: Row, today: date) -> StaffMigration:
    request, task, service = row
    open_ = task is not None and task.completed_at is None
    return StaffMigration(
        **public(row).model_dump(), client_id=request.client_id, domain=service.domain,
        product_name=service.product_name, task_id=request.task_id,
        overdue=open_ and task is not None and task.due_on < today, done_note=task.note if task else None,
    )


async def _own_service(session: AsyncSession, *, client_id: uuid.UUID, service_id: uuid.UUID,
                       lock: bool) -> ServiceInstance:
    repo = ServiceRepository(session)
    service = await (repo.lock(service_id) if lock else repo.get(service_id))
    if service is None or service.client_id != client_id:  # another client's service: as if absent
        raise NotFound("You have no such service.")
    return service


async def request_migration(
    session: AsyncSession, *, client_id: uuid.UUID, service_id: uuid.UUID, body: MigrationCreate, box: SecretBox,
    settings: ProvisioningSettings, calendar: BusinessCalendar, now: datetime,
) -> Row:
    """Record the client's choice; "we migrate everything" opens the staff task with its business-day deadline."""
    service = await _own_service(session, client_id=client_id, service_id=service_id, lock=True)
    if service.kind not in settings.migration_kinds:
        raise Conflict("Only a hosting service can receive a site migration.")
    if service.state != ServiceState.ACTIVE.value:
        raise Conflict("The service must be active to migrate a site into it.")
    repo = MigrationRepository(session)
    request = MigrationRequest(id=uuid.uuid4(), service_id=service.id, client_id=client_id, mode=body.mode,
                               created_at=now, updated_at=now)
    task: StaffTask | None = None
    if body.mode == "staff":
        if await repo.open_staff_request(service.id) is not None:
            raise Conflict("We are already migrating a site into this service.")
        assert body.access is not None
        request.access_encrypted = box.encrypt(body.access.model_dump_json())
        task = await tasks.open_request_task(
            session, service_id=service.id, client_id=client_id, kind="migrate", product_name=service.product_name,
            product_kind=service.kind, subject=service.domain, days=settings.migration_due_business_days,
            calendar=calendar, now=now,
        )
        request.task_id = task.id
    repo.add(request)
    await note(session, service=service, action=f"migration_requested_{body.mode}",
               cause=Cause("client", actor_id=client_id, note=f"migration request {request.id}"), now=now)
    return request, task, service


async def of_service(session: AsyncSession, *, client_id: uuid.UUID, service_id: uuid.UUID) -> list[Row]:
    await _own_service(session, client_id=client_id, service_id=service_id, lock=False)
    return await MigrationRepository(session).of_service(service_id)


async def _staff_row(session: AsyncSession, request_id: uuid.UUID, *, lock: bool = False) -> Row:
    repo = MigrationRepository(session)
    if lock:
        await repo.get_for_update(request_id)
    row = await repo.one(request_id)
    if row is None or row[0].mode != "staff":
        raise NotFound("No such migration request.")
    return row


async def reveal(session: AsyncSession, *, request_id: uuid.UUID, staff_id: uuid.UUID, box: SecretBox,
                 now: datetime) -> OldServerAccess:
    """The old server's access, for the staff member doing the work; who looked and when goes to the audit trail."""
    request, _, service = await _staff_row(session, request_id)
    if request.access_encrypted is None:
        raise NotFound("This request has no access data.")
    await note(session, service=service, action="migration_access_revealed",
               cause=Cause("staff", actor_id=staff_id, note=f"migration request {request.id}"), now=now)
    return OldServerAccess.model_validate(json.loads(box.decrypt(request.access_encrypted)))


async def progress(session: AsyncSession, *, request_id: uuid.UUID, staff_id: uuid.UUID, text: str,
                   now: datetime) -> Row:
    """A note the client sees on its service page (e.g. "files copied, e-mail next")."""
    request, task, service = await _staff_row(session, request_id, lock=True)
    if task is not None and task.completed_at is not None:
        raise Conflict("This migration is already done.")
    request.progress_note, request.progress_at, request.updated_at = text, now, now
    await note(session, service=service, action="migration_progress",
               cause=Cause("staff", actor_id=staff_id, note=text), now=now)
    return request, task, service


async def finish(session: AsyncSession, *, request_id: uuid.UUID, staff_id: uuid.UUID, text: str | None,
                 box: SecretBox, now: datetime) -> Row:
    """Staff finished: the request's task is completed (the same as completing it from the task queue)."""
    request, task, service = await _staff_row(session, request_id, lock=True)
    if task is None or task.completed_at is not None:
        raise Conflict("This migration is already done.")
    task = await tasks.complete_task(session, task_id=task.id, staff_id=staff_id, note=text, access=None, box=box,
                                     now=now)
    request.updated_at = now
    await note(session, service=service, action="migration_done",
               cause=Cause("staff", actor_id=staff_id, note=text or f"migration request {request.id}"), now=now)
    return request, task, service


async def staff_queue(session: AsyncSession, *, open_only: bool, limit: int) -> list[Row]:
    return await MigrationRepository(session).staff_queue(open_only=open_only, limit=limit)

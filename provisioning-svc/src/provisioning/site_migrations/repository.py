import uuid

from sqlalchemy import Select, case, select
from sqlalchemy.ext.asyncio import AsyncSession

from provisioning.instances.models import ServiceInstance
from provisioning.site_migrations.models import MigrationRequest
from provisioning.tasks.models import StaffTask

Row = tuple[MigrationRequest, StaffTask | None, ServiceInstance]


class MigrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, request: MigrationRequest) -> None:
        self.session.add(request)

    async def get_for_update(self, request_id: uuid.UUID) -> MigrationRequest | None:
        return await self.session.get(MigrationRequest, request_id, with_for_update=True)

    def _rows(self) -> Select[MigrationRequest, StaffTask, ServiceInstance]:  # the task: None for `self` requests
        return (
            select(MigrationRequest, StaffTask, ServiceInstance)
            .outerjoin(StaffTask, StaffTask.id == MigrationRequest.task_id)
            .join(ServiceInstance, ServiceInstance.id == MigrationRequest.service_id)
        )

    async def one(self, request_id: uuid.UUID) -> Row | None:
        rows = await self.session.execute(self._rows().where(MigrationRequest.id == request_id))
        return next(((m, t, s) for m, t, s in rows), None)

    async def of_service(self, service_id: uuid.UUID) -> list[Row]:
        rows = await self.session.execute(
            self._rows().where(MigrationRequest.service_id == service_id).order_by(MigrationRequest.created_at.desc())
        )
        return [(m, t, s) for m, t, s in rows]

    async def open_staff_request(self, service_id: uuid.UUID) -> MigrationRequest | None:
        """The service's "we migrate everything" request staff have not finished yet, if any."""
        return await self.session.scalar(
            select(MigrationRequest)
            .join(StaffTask, StaffTask.id == MigrationRequest.task_id)
            .where(MigrationRequest.service_id == service_id, StaffTask.completed_at.is_(None))
        )

    async def staff_queue(self, *, open_only: bool, limit: int) -> list[Row]:
        """Staff requests: open ones first by due date (so the overdue lead), then finished ones, newest first."""
        stmt = (
            self._rows()
            .where(MigrationRequest.task_id.is_not(None))
            .order_by(case((StaffTask.completed_at.is_(None), 0), else_=1), StaffTask.due_on,
                      StaffTask.completed_at.desc(), MigrationRequest.created_at)
            .limit(limit)
        )
        if open_only:
            stmt = stmt.where(StaffTask.completed_at.is_(None))
        rows = await self.session.execute(stmt)
        return [(m, t, s) for m, t, s in rows]

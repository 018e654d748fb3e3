import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from provisioning.tasks.models import StaffTask


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, values: dict[str, object]) -> None:
        """Insert a task unless its driver action already opened one (a retried action)."""
        stmt = insert(StaffTask).values(**values).on_conflict_do_nothing(index_elements=[StaffTask.action_id])
        await self.session.execute(stmt)

    def add(self, task: StaffTask) -> None:
        self.session.add(task)

    async def of_action(self, action_id: int) -> StaffTask | None:
        return (await self.session.scalars(select(StaffTask).where(StaffTask.action_id == action_id))).first()

    async def get_for_update(self, task_id: uuid.UUID) -> StaffTask | None:
        return await self.session.get(StaffTask, task_id, with_for_update=True)

    async def search(self, *, open_only: bool, overdue_before: date | None = None, limit: int) -> list[StaffTask]:
        query = select(StaffTask).order_by(StaffTask.due_on, StaffTask.opened_at).limit(limit)
        if open_only:
            query = query.where(StaffTask.completed_at.is_(None))
        if overdue_before is not None:
            query = query.where(StaffTask.completed_at.is_(None), StaffTask.due_on < overdue_before)
        return list((await self.session.scalars(query)).all())

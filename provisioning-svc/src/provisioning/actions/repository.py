import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from provisioning.actions.models import DriverAction


class ActionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, service_id: uuid.UUID, kind: str, driver: str, payload: dict[str, Any],
                  now: datetime) -> DriverAction:
        action = DriverAction(service_id=service_id, kind=kind, driver=driver, payload=payload, status="pending",
                              attempts=0, next_attempt_at=now, created_at=now)
        self.session.add(action)
        await self.session.flush()
        return action

    async def claim_due(self, *, now: datetime, limit: int) -> list[DriverAction]:
        """Lock due actions no other worker holds, only the oldest pending one of each service (P-4: a suspend
        retrying must not be overtaken by the unsuspend queued after it)."""
        earlier = aliased(DriverAction)
        older_pending = exists().where(
            earlier.service_id == DriverAction.service_id, earlier.status == "pending", earlier.id < DriverAction.id
        )
        query = (
            select(DriverAction)
            .where(DriverAction.status == "pending", DriverAction.next_attempt_at <= now, ~older_pending)
            .order_by(DriverAction.next_attempt_at, DriverAction.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())

    async def get_for_update(self, action_id: int) -> DriverAction | None:
        return await self.session.get(DriverAction, action_id, with_for_update=True)

    async def failing(self, *, min_attempts: int, limit: int) -> list[DriverAction]:
        query = (
            select(DriverAction)
            .where(DriverAction.status == "pending", DriverAction.attempts >= min_attempts)
            .order_by(DriverAction.created_at, DriverAction.id)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def count_failing(self, *, min_attempts: int) -> int:
        query = select(func.count()).where(DriverAction.status == "pending", DriverAction.attempts >= min_attempts)
        return int((await self.session.execute(query)).scalar_one())

    async def for_service(self, service_id: uuid.UUID) -> list[DriverAction]:
        query = select(DriverAction).where(DriverAction.service_id == service_id).order_by(DriverAction.id)
        return list((await self.session.scalars(query)).all())

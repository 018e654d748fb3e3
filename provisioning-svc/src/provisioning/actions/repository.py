import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from abono.messaging import wake
from provisioning.actions.models import DriverAction

# The in-process wake-up of the driver-action worker (`abono.messaging.wake`): a commit that queued an action due now
# wakes it instead of leaving the action to its next poll (issue 20, P-2: a payment's reactivation on the panel).
ACTIONS_QUEUED = "provisioning.driver_actions"


def wake_worker_at_commit(session: AsyncSession) -> None:
    """Wake this process's action worker when the session's transaction commits (an action is due now)."""
    sync = session.sync_session
    wake.wake_at_commit(sync, ACTIONS_QUEUED, wake.database_key(sync.get_bind().engine.url))


def _claim_due() -> Any:
    """`ActionRepository.claim_due`'s statement (built once: issue 20)."""
    earlier, later = aliased(DriverAction), aliased(DriverAction)
    older_pending = exists().where(
        earlier.service_id == DriverAction.service_id, earlier.status == "pending", earlier.id < DriverAction.id
    )
    followed = exists().where(
        later.service_id == DriverAction.service_id, later.status == "pending", later.id > DriverAction.id
    )
    return (
        select(DriverAction, followed)
        .where(DriverAction.status == "pending", DriverAction.next_attempt_at <= bindparam("now"), ~older_pending)
        .order_by(DriverAction.next_attempt_at, DriverAction.id)
        .limit(bindparam("limit"))
        .with_for_update(of=DriverAction, skip_locked=True)
    )


_CLAIM_DUE = _claim_due()


class ActionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, service_id: uuid.UUID, kind: str, driver: str, payload: dict[str, Any],
                  now: datetime) -> DriverAction:
        action = DriverAction(service_id=service_id, kind=kind, driver=driver, payload=payload, status="pending",
                              attempts=0, next_attempt_at=now, created_at=now)
        self.session.add(action)
        await self.session.flush()
        wake_worker_at_commit(self.session)
        return action

    async def claim_due(self, *, now: datetime, limit: int) -> list[tuple[DriverAction, bool]]:
        """Lock due actions no other worker holds, only the oldest pending one of each service (P-4: a suspend
        retrying must not be overtaken by the unsuspend queued after it); each with whether another pending action
        of its service waits behind it (due once this one is done)."""
        rows = (await self.session.execute(_CLAIM_DUE, {"now": now, "limit": limit})).all()
        return [(action, bool(waits)) for action, waits in rows]

    async def lock_claimed(self, attempts: dict[int, int]) -> list[DriverAction]:
        """Lock claimed actions (id → the attempt number the claim wrote) that are still that claim's: pending, same
        attempt. One whose lease ran out and was claimed again is the newer claim's to record (P-4: done once)."""
        query = (
            select(DriverAction)
            .where(DriverAction.id.in_(list(attempts)), DriverAction.status == "pending")
            .order_by(DriverAction.id)
            .with_for_update()
        )
        return [a for a in (await self.session.scalars(query)).all() if a.attempts == attempts[a.id]]

    async def get_for_update(self, action_id: int) -> DriverAction | None:
        return await self.session.get(DriverAction, action_id, with_for_update=True)

    async def failing(self, *, min_attempts: int, limit: int, drivers: list[str] | None = None) -> list[DriverAction]:
        query = (
            select(DriverAction)
            .where(*_failing(min_attempts))
            .where(DriverAction.driver.in_(drivers) if drivers is not None else true())
            .order_by(DriverAction.created_at, DriverAction.id)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def count_failing(self, *, min_attempts: int) -> int:
        query = select(func.count()).where(*_failing(min_attempts))
        return int((await self.session.execute(query)).scalar_one())

    async def for_service(self, service_id: uuid.UUID) -> list[DriverAction]:
        query = select(DriverAction).where(DriverAction.service_id == service_id).order_by(DriverAction.id)
        return list((await self.session.scalars(query)).all())


def _failing(min_attempts: int) -> list[ColumnElement[bool]]:
    """Pending and failed at least `min_attempts` times; an attempt in flight (claimed, no error yet) is not."""
    return [DriverAction.status == "pending", DriverAction.attempts >= min_attempts,
            DriverAction.last_error.is_not(None)]

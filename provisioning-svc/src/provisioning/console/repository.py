"""The console's queries on services (indexes: migration 0007)."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import search_pattern
from provisioning.instances.models import ServiceAccess, ServiceAudit, ServiceInstance
from provisioning.tasks.models import StaffTask

SERVER = ServiceInstance.driver_settings["server"].astext
MIN_SUBSTRING = 3  # pg_trgm's trigrams: a shorter query matches the start of a domain only


@dataclass(frozen=True, slots=True)
class ServiceFilters:
    q: str | None = None
    state: str | None = None
    driver: str | None = None
    server: str | None = None
    client_id: uuid.UUID | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ConsoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def services(self, filters: ServiceFilters, *, limit: int) -> list[tuple[ServiceInstance, str | None]]:
        """Services with their panel username, newest first."""
        stmt = select(ServiceInstance, ServiceAccess.username).outerjoin(
            ServiceAccess, ServiceAccess.service_id == ServiceInstance.id
        )
        if filters.q:
            # Each way by its own index (trigram indexes of the exact expressions, the primary key), ids united: an
            # `OR` with the usernames' subquery could only be answered by reading every service.
            q = filters.q.strip().lower()
            if len(q) < MIN_SUBSTRING:  # no trigram to look up: the start of a domain (its prefix index)
                ways: list[Select[Any]] = [select(ServiceInstance.id).where(
                    func.lower(ServiceInstance.domain).like(search_pattern(f"{_escape_like(q)}%")))]
            else:
                pattern = search_pattern(f"%{_escape_like(q)}%")
                ways = [
                    select(ServiceInstance.id).where(func.lower(ServiceInstance.domain).like(pattern)),
                    select(ServiceAccess.service_id).where(func.lower(ServiceAccess.username).like(pattern)),
                ]
            with contextlib.suppress(ValueError):
                ways.append(select(ServiceInstance.id).where(ServiceInstance.id == uuid.UUID(filters.q.strip())))
            stmt = stmt.where(ServiceInstance.id.in_(union(*ways)))
        if filters.state:
            stmt = stmt.where(ServiceInstance.state == filters.state)
        if filters.driver:
            stmt = stmt.where(ServiceInstance.driver == filters.driver)
        if filters.server:
            stmt = stmt.where(filters.server == SERVER)
        if filters.client_id:
            stmt = stmt.where(ServiceInstance.client_id == filters.client_id)
        rows = await self.session.execute(stmt.order_by(ServiceInstance.created_at.desc()).limit(limit))
        return [(s, u) for s, u in rows]

    async def facets(self) -> list[tuple[str, str, str | None, int]]:
        """How many services per (state, driver, server)."""
        rows = await self.session.execute(
            select(ServiceInstance.state, ServiceInstance.driver, SERVER, func.count()).group_by(
                ServiceInstance.state, ServiceInstance.driver, SERVER
            )
        )
        return [(state, driver, server, int(n)) for state, driver, server, n in rows]

    async def audit(self, client_id: uuid.UUID, *, limit: int) -> list[ServiceAudit]:
        ids = select(ServiceInstance.id).where(ServiceInstance.client_id == client_id)
        return list(
            await self.session.scalars(
                select(ServiceAudit)
                .where(ServiceAudit.service_id.in_(ids))
                .order_by(ServiceAudit.at.desc(), ServiceAudit.id.desc())
                .limit(limit)
            )
        )

    async def tasks(self, client_id: uuid.UUID, *, limit: int) -> list[StaffTask]:
        return list(
            await self.session.scalars(
                select(StaffTask).where(StaffTask.client_id == client_id).order_by(StaffTask.due_on).limit(limit)
            )
        )

    async def count_tasks(self, *, overdue_before: date | None) -> int:
        stmt = select(func.count()).select_from(StaffTask).where(StaffTask.completed_at.is_(None))
        if overdue_before is not None:
            stmt = stmt.where(StaffTask.due_on < overdue_before)
        return int(await self.session.scalar(stmt) or 0)

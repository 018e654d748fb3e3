"""Every query of the status page, the probe and the SLA credits (S-4)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from support.clients.models import ClientService
from support.status.models import Incident, IncidentUpdate, Maintenance, Server, SlaCredit, SlaMonth


class ServerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, name: str, *, for_update: bool = False) -> Server | None:
        query = select(Server).where(Server.name == name)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def upsert(self, values: dict[str, object], *, update_existing: bool) -> None:
        """Insert a server; an existing one is updated with `values` (staff) or left alone (a provisioning event)."""
        stmt = insert(Server).values(**values)
        changes = {k: v for k, v in values.items() if k not in ("name", "created_at")}
        if update_existing:
            stmt = stmt.on_conflict_do_update(index_elements=[Server.name], set_=changes)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=[Server.name])
        await self.session.execute(stmt)

    async def all(self) -> Sequence[Server]:
        return (await self.session.scalars(select(Server).order_by(Server.label, Server.name))).all()

    async def claim_due_probes(self, *, now: datetime, limit: int) -> Sequence[Server]:
        """Servers whose next check is due, locked so another replica skips them this pass."""
        due = Server.last_checked_at + func.make_interval(0, 0, 0, 0, 0, 0, Server.probe_interval_seconds)
        return (
            await self.session.scalars(
                select(Server)
                .where(Server.probe_kind.is_not(None), or_(Server.last_checked_at.is_(None), due <= now))
                .order_by(Server.name)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def products_by_server(self) -> dict[str, list[str]]:
        """What runs on each server (product names of active services): the public page names no client."""
        rows = await self.session.execute(
            select(ClientService.server, ClientService.product_name)
            .distinct()
            .where(ClientService.server.is_not(None), ClientService.status == "active")
            .order_by(ClientService.server, ClientService.product_name)
        )
        out: dict[str, list[str]] = {}
        for server, product in rows:
            out.setdefault(server or "", []).append(product)
        return out

    async def services_on(self, server: str, statuses: Sequence[str]) -> Sequence[ClientService]:
        return (
            await self.session.scalars(
                select(ClientService)
                .where(ClientService.server == server, ClientService.status.in_(list(statuses)))
                .order_by(ClientService.client_id, ClientService.product_name)
            )
        ).all()

    async def services_of_client(self, client_id: uuid.UUID) -> Sequence[ClientService]:
        return (
            await self.session.scalars(
                select(ClientService)
                .where(
                    ClientService.client_id == client_id,
                    ClientService.server.is_not(None),
                    ClientService.status.in_(["active", "suspended"]),
                )
                .order_by(ClientService.product_name)
            )
        ).all()

    async def place_service(self, service_id: uuid.UUID, server: str) -> None:
        await self.session.execute(update(ClientService).where(ClientService.id == service_id).values(server=server))


class IncidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, incident: Incident, first: IncidentUpdate) -> None:
        self.session.add(incident)
        await self.session.flush()
        self.session.add(first)
        await self.session.flush()

    async def add_update(self, update_row: IncidentUpdate) -> None:
        self.session.add(update_row)
        await self.session.flush()

    async def get(self, incident_id: uuid.UUID, *, for_update: bool = False) -> Incident | None:
        query = select(Incident).where(Incident.id == incident_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def open_on(self, server: str, *, source: str | None = None) -> Sequence[Incident]:
        query = select(Incident).where(Incident.server_name == server, Incident.resolved_at.is_(None))
        if source is not None:
            query = query.where(Incident.source == source)
        return (await self.session.scalars(query.order_by(Incident.started_at))).all()

    async def shown(self, *, resolved_since: datetime, servers: Sequence[str] | None = None) -> Sequence[Incident]:
        """Open incidents and those resolved since `resolved_since`, newest first."""
        query = select(Incident).where(or_(Incident.resolved_at.is_(None), Incident.resolved_at >= resolved_since))
        if servers is not None:
            query = query.where(Incident.server_name.in_(list(servers)))
        return (await self.session.scalars(query.order_by(Incident.started_at.desc()))).all()

    async def updates(self, incident_ids: Sequence[uuid.UUID]) -> Sequence[IncidentUpdate]:
        if not incident_ids:
            return []
        return (
            await self.session.scalars(
                select(IncidentUpdate)
                .where(IncidentUpdate.incident_id.in_(list(incident_ids)))
                .order_by(IncidentUpdate.at.desc(), IncidentUpdate.id)
            )
        ).all()

    async def intervals(self, *, since: datetime, until: datetime) -> list[tuple[str, datetime, datetime]]:
        """(server, start, end) of every incident overlapping [since, until); an open one ends at `until`."""
        end = func.coalesce(Incident.resolved_at, until)
        rows = await self.session.execute(
            select(Incident.server_name, Incident.started_at, end).where(Incident.started_at < until, end > since)
        )
        return [(server, start, stop) for server, start, stop in rows]


class MaintenanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, maintenance: Maintenance) -> None:
        self.session.add(maintenance)
        await self.session.flush()

    async def get(self, maintenance_id: uuid.UUID, *, for_update: bool = False) -> Maintenance | None:
        query = select(Maintenance).where(Maintenance.id == maintenance_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def current_and_upcoming(
        self, *, now: datetime, servers: Sequence[str] | None = None
    ) -> Sequence[Maintenance]:
        query = select(Maintenance).where(Maintenance.ends_at > now, Maintenance.cancelled_at.is_(None))
        if servers is not None:
            query = query.where(Maintenance.server_name.in_(list(servers)))
        return (await self.session.scalars(query.order_by(Maintenance.starts_at))).all()

    async def excused_intervals(
        self, *, since: datetime, until: datetime, notice: timedelta
    ) -> list[tuple[str, datetime, datetime]]:
        """(server, start, end) of maintenance announced at least `notice` before it started (S-4 Decision)."""
        rows = await self.session.execute(
            select(Maintenance.server_name, Maintenance.starts_at, Maintenance.ends_at).where(
                and_(
                    Maintenance.cancelled_at.is_(None),
                    Maintenance.starts_at < until,
                    Maintenance.ends_at > since,
                    Maintenance.announced_at <= Maintenance.starts_at - notice,
                )
            )
        )
        return [(server, start, stop) for server, start, stop in rows]


class SlaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_month(self, month: date, *, now: datetime) -> bool:
        """True for the one transaction that decides `month` (another replica's insert waits, then finds it)."""
        stmt = (
            insert(SlaMonth)
            .values(month=month, decided_at=now, credits=0)
            .on_conflict_do_nothing(index_elements=[SlaMonth.month])
            .returning(SlaMonth.month)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def set_count(self, month: date, credits: int) -> None:
        await self.session.execute(update(SlaMonth).where(SlaMonth.month == month).values(credits=credits))

    async def add_credit_once(self, credit: dict[str, object]) -> bool:
        stmt = (
            insert(SlaCredit)
            .values(**credit)
            .on_conflict_do_nothing(index_elements=[SlaCredit.service_id, SlaCredit.month])
            .returning(SlaCredit.service_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def credits_of(self, *, month: date | None = None, client_id: uuid.UUID | None = None) -> Sequence[SlaCredit]:
        query = select(SlaCredit)
        if month is not None:
            query = query.where(SlaCredit.month == month)
        if client_id is not None:
            query = query.where(SlaCredit.client_id == client_id)
        return (await self.session.scalars(query.order_by(SlaCredit.month.desc(), SlaCredit.service_id))).all()

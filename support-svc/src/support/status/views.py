"""What the status page (public), a client's services and staff see of servers, incidents and maintenance (S-4)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from support.runtime import Runtime
from support.status.credits import server_downtime
from support.status.downtime import uptime_percent
from support.status.models import Incident, Maintenance, Server
from support.status.repository import IncidentRepository, MaintenanceRepository, ServerRepository
from support.status.schemas import (
    IncidentPublic,
    IncidentUpdatePublic,
    MaintenancePublic,
    MyServiceStatus,
    ServerPublic,
    ServerStaff,
    StatusPage,
)

STATE_RANK = {"operational": 0, "maintenance": 1, "outage": 2}


async def incident_views(
    session: AsyncSession, incidents: Sequence[Incident], labels: dict[str, str]
) -> list[IncidentPublic]:
    updates: dict[uuid.UUID, list[IncidentUpdatePublic]] = {}
    for row in await IncidentRepository(session).updates([i.id for i in incidents]):
        updates.setdefault(row.incident_id, []).append(
            IncidentUpdatePublic(status=row.status, message=row.message, at=row.at)
        )
    return [
        IncidentPublic(
            id=i.id,
            server=i.server_name,
            server_label=labels.get(i.server_name, i.server_name),
            title=i.title,
            status=i.status,
            source=i.source,
            started_at=i.started_at,
            resolved_at=i.resolved_at,
            updates=updates.get(i.id, []),
        )
        for i in incidents
    ]


def maintenance_views(rows: Sequence[Maintenance], labels: dict[str, str], now: datetime) -> list[MaintenancePublic]:
    return [
        MaintenancePublic(
            id=m.id,
            server=m.server_name,
            server_label=labels.get(m.server_name, m.server_name),
            title=m.title,
            description=m.description,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            announced_at=m.announced_at,
            in_progress=m.starts_at <= now < m.ends_at,
        )
        for m in rows
    ]


async def status_page(session: AsyncSession, runtime: Runtime) -> StatusPage:
    now = runtime.clock.now()
    servers = await ServerRepository(session).all()
    labels = {s.name: s.label for s in servers}
    incidents = await IncidentRepository(session).shown(
        resolved_since=now - timedelta(days=runtime.settings.status_resolved_days_shown)
    )
    maintenance = maintenance_views(await MaintenanceRepository(session).current_and_upcoming(now=now), labels, now)
    products = await ServerRepository(session).products_by_server()
    uptimes = {}
    for days in (30, 90):
        window = (now - timedelta(days=days), now)
        down = await server_downtime(session, runtime, window)
        uptimes[days] = {s.name: uptime_percent(down.get(s.name, timedelta()), window) for s in servers}
    states = {s.name: "operational" for s in servers}
    for m in maintenance:
        if m.in_progress:
            states[m.server] = "maintenance"
    for incident in incidents:
        if incident.resolved_at is None:
            states[incident.server_name] = "outage"
    views = [
        ServerPublic(
            name=s.name,
            label=s.label,
            state=states[s.name],
            services=products.get(s.name, []),
            uptime_30d=uptimes[30][s.name],
            uptime_90d=uptimes[90][s.name],
        )
        for s in servers
    ]
    overall = max(states.values(), key=STATE_RANK.__getitem__, default="operational")
    return StatusPage(
        state=overall,
        servers=views,
        incidents=await incident_views(session, incidents, labels),
        maintenance=maintenance,
        generated_at=now,
    )


async def my_services(session: AsyncSession, runtime: Runtime, client_id: uuid.UUID) -> list[MyServiceStatus]:
    """The client's placed services, each with its server's open and recent incidents and coming maintenance."""
    now = runtime.clock.now()
    repo = ServerRepository(session)
    services = await repo.services_of_client(client_id)
    names = sorted({s.server for s in services if s.server})
    labels = {s.name: s.label for s in await repo.all() if s.name in names}
    incidents = await incident_views(
        session,
        await IncidentRepository(session).shown(
            resolved_since=now - timedelta(days=runtime.settings.status_resolved_days_shown), servers=names
        ),
        labels,
    )
    maintenance = maintenance_views(
        await MaintenanceRepository(session).current_and_upcoming(now=now, servers=names), labels, now
    )
    return [
        MyServiceStatus(
            service_id=s.id,
            product_name=s.product_name,
            server=s.server or "",
            server_label=labels.get(s.server or "", s.server or ""),
            incidents=[i for i in incidents if i.server == s.server],
            maintenance=[m for m in maintenance if m.server == s.server],
        )
        for s in services
    ]


def server_staff_view(s: Server) -> ServerStaff:
    return ServerStaff(
        name=s.name,
        label=s.label,
        probe_kind=s.probe_kind,
        probe_target=s.probe_target,
        probe_interval_seconds=s.probe_interval_seconds,
        probe_timeout_seconds=s.probe_timeout_seconds,
        failures_to_open=s.failures_to_open,
        successes_to_resolve=s.successes_to_resolve,
        consecutive_failures=s.consecutive_failures,
        consecutive_successes=s.consecutive_successes,
        last_checked_at=s.last_checked_at,
        last_error=s.last_error,
    )

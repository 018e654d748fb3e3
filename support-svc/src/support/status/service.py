"""S-4: servers, incidents (staff's or the probe's) with their updates, scheduled maintenance; the clients whose
services sit on an affected server are told (N-2) when an incident opens and when it is resolved."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, InvalidInput, NotFound
from abono.events import IncidentClientAffected
from abono.messaging import emit
from abono.metrics import count_after_commit
from support.metrics import INCIDENTS
from support.runtime import Runtime
from support.status.models import Incident, IncidentUpdate, Maintenance, Server
from support.status.repository import IncidentRepository, MaintenanceRepository, ServerRepository
from support.status.schemas import IncidentCreate, IncidentStatus, IncidentUpdateCreate, MaintenanceCreate, ServerPut

NOTIFIED_STATUSES = ("active", "suspended")  # the clients told of an incident: whoever still has a service there


def server_defaults(runtime: Runtime, name: str, now: datetime) -> dict[str, object]:
    s = runtime.settings
    return {
        "name": name,
        "label": name,
        "probe_kind": None,
        "probe_target": None,
        "probe_interval_seconds": s.status_probe_interval_seconds,
        "probe_timeout_seconds": s.status_probe_timeout_seconds,
        "failures_to_open": s.status_failures_to_open,
        "successes_to_resolve": s.status_successes_to_resolve,
        "consecutive_failures": 0,
        "consecutive_successes": 0,
        "created_at": now,
    }


async def place_service(
    session: AsyncSession, runtime: Runtime, *, service_id: uuid.UUID, server: str, at: datetime
) -> None:
    """Provisioning placed a service on `server`: known from now on (listed without a probe until staff set one)."""
    repo = ServerRepository(session)
    await repo.upsert(server_defaults(runtime, server, at), update_existing=False)
    await repo.place_service(service_id, server)


TUNABLE = ("probe_interval_seconds", "probe_timeout_seconds", "failures_to_open", "successes_to_resolve")


async def put_server(session: AsyncSession, runtime: Runtime, *, name: str, body: ServerPut) -> Server:
    """Staff set a server's label and probe (the probe's counters start again)."""
    given = body.model_dump(mode="json")
    values = {
        **server_defaults(runtime, name, runtime.clock.now()),
        "label": body.label,
        "probe_kind": given["probe_kind"],
        "probe_target": body.probe_target,
        "last_error": None,
        **{key: given[key] for key in TUNABLE if given[key] is not None},
    }
    repo = ServerRepository(session)
    await repo.upsert(values, update_existing=True)
    server = await repo.get(name)
    assert server is not None
    return server


async def _server(session: AsyncSession, name: str) -> Server:
    server = await ServerRepository(session).get(name)
    if server is None:
        raise NotFound(f"No server {name!r}.")
    return server


async def open_incident(
    session: AsyncSession,
    runtime: Runtime,
    *,
    server: Server,
    title: str,
    message: str,
    status: IncidentStatus,
    source: str,
    started_at: datetime,
    author_id: uuid.UUID | None,
) -> Incident:
    now = runtime.clock.now()
    incident = Incident(
        id=uuid.uuid4(),
        server_name=server.name,
        title=title,
        status=status.value,
        source=source,
        started_at=started_at,
        resolved_at=now if status is IncidentStatus.RESOLVED else None,
        created_by=author_id,
    )
    await IncidentRepository(session).add(
        incident,
        IncidentUpdate(
            id=uuid.uuid4(), incident_id=incident.id, status=status.value, message=message, at=now, author_id=author_id
        ),
    )
    count_after_commit(session, INCIDENTS, source=source, stage="opened")
    await _tell_clients(session, server=server, incident=incident, stage="opened", message=message)
    return incident


async def declare_incident(
    session: AsyncSession, runtime: Runtime, *, body: IncidentCreate, staff_id: uuid.UUID
) -> Incident:
    server = await _server(session, body.server)
    now = runtime.clock.now()
    started_at = body.started_at or now
    if started_at > now:
        raise InvalidInput("An incident cannot start in the future; schedule maintenance instead.")
    return await open_incident(
        session,
        runtime,
        server=server,
        title=body.title,
        message=body.message,
        status=body.status,
        source="staff",
        started_at=started_at,
        author_id=staff_id,
    )


async def update_incident(
    session: AsyncSession,
    runtime: Runtime,
    *,
    incident_id: uuid.UUID,
    body: IncidentUpdateCreate,
    author_id: uuid.UUID | None,
) -> Incident:
    repo = IncidentRepository(session)
    incident = await repo.get(incident_id, for_update=True)
    if incident is None:
        raise NotFound("No such incident.")
    if incident.resolved_at is not None:
        raise Conflict("This incident is resolved; declare a new one if it happens again.")
    now = runtime.clock.now()
    incident.status = body.status.value
    await repo.add_update(
        IncidentUpdate(
            id=uuid.uuid4(),
            incident_id=incident.id,
            status=body.status.value,
            message=body.message,
            at=now,
            author_id=author_id,
        )
    )
    if body.status is IncidentStatus.RESOLVED:
        incident.resolved_at = now
        count_after_commit(session, INCIDENTS, source=incident.source, stage="resolved")
        await _tell_clients(
            session,
            server=await _server(session, incident.server_name),
            incident=incident,
            stage="resolved",
            message=body.message,
        )
    return incident


async def schedule_maintenance(
    session: AsyncSession, runtime: Runtime, *, body: MaintenanceCreate, staff_id: uuid.UUID
) -> Maintenance:
    await _server(session, body.server)
    now = runtime.clock.now()
    if body.ends_at <= now:
        raise InvalidInput("This maintenance would be over already.")
    maintenance = Maintenance(
        id=uuid.uuid4(),
        server_name=body.server,
        title=body.title,
        description=body.description,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        announced_at=now,
        created_by=staff_id,
    )
    await MaintenanceRepository(session).add(maintenance)
    return maintenance


async def cancel_maintenance(session: AsyncSession, runtime: Runtime, *, maintenance_id: uuid.UUID) -> Maintenance:
    maintenance = await MaintenanceRepository(session).get(maintenance_id, for_update=True)
    if maintenance is None:
        raise NotFound("No such maintenance.")
    if maintenance.cancelled_at is None:
        maintenance.cancelled_at = runtime.clock.now()
    return maintenance


async def _tell_clients(session: AsyncSession, *, server: Server, incident: Incident, stage: str, message: str) -> None:
    """N-2: one event per client with services on the server (its services listed), per incident and stage."""
    services = await ServerRepository(session).services_on(server.name, NOTIFIED_STATUSES)
    by_client: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    for service in services:
        by_client[service.client_id].append((service.id, service.product_name))
    await emit(
        session,
        *(
            IncidentClientAffected(
                incident_id=incident.id,
                client_id=client_id,
                stage=stage,
                server=server.name,
                server_label=server.label,
                title=incident.title,
                status=incident.status,
                message=message,
                started_at=incident.started_at,
                resolved_at=incident.resolved_at,
                service_ids=[s for s, _ in owned],
                service_names=[n for _, n in owned],
                occurred_at=incident.resolved_at
                if stage == "resolved" and incident.resolved_at
                else incident.started_at,
            )
            for client_id, owned in by_client.items()
        ),
    )

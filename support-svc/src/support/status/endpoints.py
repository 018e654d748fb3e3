"""S-4 over HTTP: the public status page (no login), a client's services with their incidents, staff's servers,
incidents, updates and maintenance, and the SLA credits decided."""

import uuid
from datetime import date

from fastapi import APIRouter, Path

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.db import ReadSessionDep, SessionDep
from abono.errors import problem_responses
from support.runtime import RuntimeDep
from support.status import service, views
from support.status.repository import IncidentRepository, ServerRepository, SlaRepository
from support.status.schemas import (
    IncidentCreate,
    IncidentPublic,
    IncidentUpdateCreate,
    MaintenanceCreate,
    MaintenancePublic,
    MyServiceStatus,
    ServerName,
    ServerPut,
    ServerStaff,
    SlaCreditPublic,
    StatusPage,
)

router = APIRouter(tags=["status"])
NamePath = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@router.get("/status", summary="The public status page (no login): servers, incidents, maintenance, uptime")
async def public_status(session: ReadSessionDep, runtime: RuntimeDep) -> StatusPage:
    return await views.status_page(session, runtime)


@router.get(
    "/status/mine",
    summary="My services with their server's incidents and maintenance",
    responses=problem_responses(401),
)
async def my_status(principal: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep) -> list[MyServiceStatus]:
    return await views.my_services(session, runtime, principal.user_id)


@router.get("/status/servers", summary="Staff: servers with their probe's state", responses=problem_responses(401, 403))
async def list_servers(_: StaffPrincipal, session: ReadSessionDep) -> list[ServerStaff]:
    return [views.server_staff_view(s) for s in await ServerRepository(session).all()]


@router.put(
    "/status/servers/{name}",
    summary="Staff: a server's label and health probe (HTTP or TCP)",
    responses=problem_responses(401, 403, 422),
)
async def put_server(
    body: ServerPut, _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep, name: ServerName = NamePath
) -> ServerStaff:
    return views.server_staff_view(await service.put_server(session, runtime, name=name, body=body))


async def _one(session: SessionDep, incident_id: uuid.UUID) -> IncidentPublic:
    incident = await IncidentRepository(session).get(incident_id)
    assert incident is not None
    server = await ServerRepository(session).get(incident.server_name)
    return (await views.incident_views(session, [incident], {incident.server_name: server.label if server else ""}))[0]


@router.post(
    "/status/incidents",
    status_code=201,
    summary="Staff: declare an incident; affected clients are told",
    responses=problem_responses(401, 403, 404, 422),
)
async def declare_incident(
    body: IncidentCreate, principal: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> IncidentPublic:
    incident = await service.declare_incident(session, runtime, body=body, staff_id=principal.user_id)
    return await _one(session, incident.id)


@router.post(
    "/status/incidents/{incident_id}/updates",
    status_code=201,
    summary="Staff: an incident's update (identified, monitoring, resolved: clients told when resolved)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_incident(
    incident_id: uuid.UUID,
    body: IncidentUpdateCreate,
    principal: StaffPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
) -> IncidentPublic:
    await service.update_incident(session, runtime, incident_id=incident_id, body=body, author_id=principal.user_id)
    return await _one(session, incident_id)


@router.post(
    "/status/maintenance",
    status_code=201,
    summary="Staff: schedule maintenance (announced at once)",
    responses=problem_responses(401, 403, 404, 422),
)
async def schedule_maintenance(
    body: MaintenanceCreate, principal: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> MaintenancePublic:
    m = await service.schedule_maintenance(session, runtime, body=body, staff_id=principal.user_id)
    server = await ServerRepository(session).get(m.server_name)
    return views.maintenance_views([m], {m.server_name: server.label if server else ""}, runtime.clock.now())[0]


@router.delete(
    "/status/maintenance/{maintenance_id}",
    status_code=204,
    summary="Staff: cancel a maintenance",
    responses=problem_responses(401, 403, 404),
)
async def cancel_maintenance(
    maintenance_id: uuid.UUID, _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> None:
    await service.cancel_maintenance(session, runtime, maintenance_id=maintenance_id)


@router.get(
    "/status/sla-credits",
    summary="SLA credits decided: a client's own; staff all, by month",
    responses=problem_responses(401),
)
async def sla_credits(
    principal: CurrentPrincipal, session: ReadSessionDep, month: date | None = None
) -> list[SlaCreditPublic]:
    scope = None if principal.is_staff else principal.user_id
    return [
        SlaCreditPublic(
            service_id=c.service_id,
            client_id=c.client_id,
            month=c.month,
            server=c.server_name,
            downtime_minutes=c.downtime_minutes,
            uptime_percent=c.uptime_percent,
            credit_percent=c.credit_percent,
        )
        for c in await SlaRepository(session).credits_of(month=month, client_id=scope)
    ]

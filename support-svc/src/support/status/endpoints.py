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
    """Public: no access token needed, and no client is named. The overall state (operational, outage or maintenance),
    each server's state and uptime, the current incidents with their updates, and the maintenance scheduled.
    """
    return await views.status_page(session, runtime)


@router.get(
    "/status/mine",
    summary="My services with their server's incidents and maintenance",
    responses=problem_responses(401),
)
async def my_status(principal: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep) -> list[MyServiceStatus]:
    """For the signed-in client: each of its services with the server it runs on and that server's current incidents and
    scheduled maintenance.
    """
    return await views.my_services(session, runtime, principal.user_id)


@router.get("/status/servers", summary="Staff: servers with their probe's state", responses=problem_responses(401, 403))
async def list_servers(_: StaffPrincipal, session: ReadSessionDep) -> list[ServerStaff]:
    """Staff only. Every monitored server with its label, its health probe and the probe's latest result."""
    return [views.server_staff_view(s) for s in await ServerRepository(session).all()]


@router.put(
    "/status/servers/{name}",
    summary="Staff: a server's label and health probe (HTTP or TCP)",
    responses=problem_responses(401, 403, 422),
)
async def put_server(
    body: ServerPut, _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep, name: ServerName = NamePath
) -> ServerStaff:
    """Staff only. Creates or updates the server named in the path: its public label and its health probe (an HTTP URL,
    or a TCP host and port). Its probe's counters start again. Returns the server as staff see it.
    """
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
    """Staff only. Opens an incident on a server with a first message; it shows on the status page and every client with
    services on that server is notified. 404 when the server is unknown.
    """
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
    """Staff only. Adds an update to the incident, moving it to identified, monitoring or resolved; the affected clients
    are notified when it is resolved. 409 when it is resolved already (declare a new one).
    """
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
    """Staff only. Schedules maintenance of a server for a time window; it shows on the status page and the clients with
    services on that server are notified at once. 404 when the server is unknown; 422 when the window would be over
    already.
    """
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
    """Staff only. Cancels a scheduled maintenance, which leaves the status page; cancelling it again changes nothing.
    404 when there is no such maintenance.
    """
    await service.cancel_maintenance(session, runtime, maintenance_id=maintenance_id)


@router.get(
    "/status/sla-credits",
    summary="SLA credits decided: a client's own; staff all, by month",
    responses=problem_responses(401),
)
async def sla_credits(
    principal: CurrentPrincipal, session: ReadSessionDep, month: date | None = None
) -> list[SlaCreditPublic]:
    """The credits granted for downtime beyond the uptime guarantee, newest month first: a client gets its own
    services', staff everyone's. Each names the service, the month, the server, the downtime in minutes, the uptime
    percentage and the credit percentage. Filter with `month` (its first day).
    """
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

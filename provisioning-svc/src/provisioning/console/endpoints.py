"""The console's provisioning endpoints (issue 14 items 1, 2, 4, 6): staff and admins only. Reads only: staff
never suspend, unsuspend or terminate a service by hand (P-5)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from abono.auth import StaffPrincipal
from abono.bounds import PageSizeQuery, SearchQuery
from abono.db import SessionDep
from provisioning.actions.repository import ActionRepository
from provisioning.console.repository import ConsoleRepository, ServiceFilters
from provisioning.console.schemas import (
    ClientProvisioning,
    ProvisioningWork,
    ServiceAuditPublic,
    ServiceFacet,
    StaffService,
)
from provisioning.instances.models import ServiceInstance
from provisioning.runtime import RuntimeDep
from provisioning.tasks.endpoints import task_public

router = APIRouter(prefix="/staff", tags=["staff: services"])
STAFF: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad access token"},
    403: {"description": "Staff only"},
    422: {"description": "Invalid input"},
}
Name = Annotated[str, Query(max_length=64)]


def _staff_service(service: ServiceInstance, username: str | None) -> StaffService:
    server = service.driver_settings.get("server") if isinstance(service.driver_settings, dict) else None
    return StaffService(
        id=service.id,
        state=service.state,
        product_id=service.product_id,
        product_code=service.product_code,
        product_name=service.product_name,
        kind=service.kind,
        cycle=service.cycle,
        domain=service.domain,
        activated_at=service.activated_at,
        suspended_at=service.suspended_at,
        ended_at=service.ended_at,
        created_at=service.created_at,
        client_id=service.client_id,
        driver=service.driver,
        server=str(server) if server is not None else None,
        activation=service.activation,
        username=username,
    )


@router.get("/services", summary="Services by domain or panel username, state, driver, server (staff)", responses=STAFF)
async def services(
    _: StaffPrincipal,
    session: SessionDep,
    q: SearchQuery | None = None,
    state: Name | None = None,
    driver: Name | None = None,
    server: Name | None = None,
    client_id: uuid.UUID | None = None,
    limit: PageSizeQuery = 100,
) -> list[StaffService]:
    """Staff only. Finds services by domain or panel username (`q`), and filters by state, driver, server or client,
    newest first, up to `limit`. Each row has the client's id, the driver and the server the service lives on. Read
    only: staff never suspend or terminate a service by hand."""
    filters = ServiceFilters(q=q, state=state, driver=driver, server=server, client_id=client_id)
    return [_staff_service(s, u) for s, u in await ConsoleRepository(session).services(filters, limit=limit)]


@router.get("/services/facets", summary="How many services per state, driver and server (staff)", responses=STAFF)
async def facets(_: StaffPrincipal, session: SessionDep) -> list[ServiceFacet]:
    """Staff only. The number of services for each combination of state, driver and server, for the console's filters
    and counters. Read only."""
    return [
        ServiceFacet(state=state, driver=driver, server=server, count=n)
        for state, driver, server, n in await ConsoleRepository(session).facets()
    ]


@router.get("/clients/{client_id}", summary="A client's services, tasks and their audit trail (staff)", responses=STAFF)
async def client_provisioning(
    client_id: uuid.UUID, _: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> ClientProvisioning:
    """Staff only. Everything provisioning knows of one client: its services, its manual tasks and the audit trail of
    what happened to its services (who or what decided each change, and when). An unknown client gives empty lists."""
    console = ConsoleRepository(session)
    found = await console.services(ServiceFilters(client_id=client_id), limit=500)
    return ClientProvisioning(
        client_id=client_id,
        services=[_staff_service(s, u) for s, u in found],
        tasks=[task_public(t, runtime) for t in await console.tasks(client_id, limit=200)],
        audit=[ServiceAuditPublic.model_validate(a) for a in await console.audit(client_id, limit=200)],
    )


@router.get("/work", summary="What waits for a person today: failed driver actions, tasks (staff)", responses=STAFF)
async def work(_: StaffPrincipal, session: SessionDep, runtime: RuntimeDep) -> ProvisioningWork:
    """Staff only. Counters for the console's front page: driver actions that keep failing, open manual tasks and how
    many of them are overdue today."""
    console, today = ConsoleRepository(session), runtime.calendar.local_date(runtime.clock.now())
    failed = await ActionRepository(session).count_failing(min_attempts=runtime.settings.action_failing_after_attempts)
    return ProvisioningWork(
        failed_actions=failed,
        overdue_tasks=await console.count_tasks(overdue_before=today),
        open_tasks=await console.count_tasks(overdue_before=None),
    )

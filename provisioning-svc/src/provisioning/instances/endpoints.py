"""The client's own services (P-7). There is deliberately no endpoint that suspends, unsuspends or terminates
a service (P-5): only billing's decisions and payments do."""

import uuid
from typing import Any

from fastapi import APIRouter

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from abono.errors import NotFound
from provisioning.instances.lifecycle import State
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.schemas import AccessPublic, ServiceDetail, ServicePublic
from provisioning.runtime import RuntimeDep

router = APIRouter(prefix="/services", tags=["services"])
AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "No or bad access token"}}


@router.get("", summary="My services", responses=AUTH)
async def my_services(principal: CurrentPrincipal, session: SessionDep) -> list[ServicePublic]:
    """Any signed-in client. Lists the caller's own services with their product, state (`pending`, `active`,
    `suspended`, ...), billing cycle and dates. Services are never suspended or cancelled here: that follows from
    invoices and payments."""
    services = await ServiceRepository(session).of_client(principal.user_id)
    return [ServicePublic.model_validate(s) for s in services]


@router.get("/{service_id}", summary="One of my services, with its access data while it is active or suspended",
            responses={**AUTH, 404: {"description": "No such service of yours"}})
async def my_service(service_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                     runtime: RuntimeDep) -> ServiceDetail:
    """Any signed-in client, for one of its own services. Includes the access data (panel URL, username, password,
    downloads) only while the service is active or suspended. Another client's service answers 404, as if it did not
    exist."""
    repo = ServiceRepository(session)
    service = await repo.get(service_id)
    if service is None or service.client_id != principal.user_id:  # another client's service: as if absent
        raise NotFound("You have no such service.")
    detail = ServiceDetail.model_validate(service)
    access = await repo.access(service.id)
    if access is not None and service.state in (State.ACTIVE.value, State.SUSPENDED.value):
        detail.access = AccessPublic(
            panel_url=access.panel_url, username=access.username, manual_url=access.manual_url,
            password=runtime.box.decrypt(access.password_encrypted) if access.password_encrypted else None,
            downloads=access.downloads,
        )
    return detail

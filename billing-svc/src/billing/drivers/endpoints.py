from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from abono.auth import StaffPrincipal
from abono.db import SessionDep
from abono.events import DriverConfiguration
from billing.deps import problems
from billing.drivers import service

router = APIRouter(tags=["catalog"])


class ProvisioningDriversPublic(BaseModel):
    """What provisioning last reported it can run; both null before its first report."""

    reported_at: datetime | None
    configuration: DriverConfiguration | None


@router.get(
    "/staff/catalog/drivers", summary="What provisioning can run (staff)",
    description="The drivers, WHM servers, HTTP endpoints and registrar the provisioning service reported at its "
    "latest start. Products whose driver is not among them cannot be created or ordered (`driver-not-configured`). "
    "Both fields are null until provisioning has started once; products are not refused until then.",
    responses=problems(401, 403),
)
async def provisioning_drivers(_: StaffPrincipal, session: SessionDep) -> ProvisioningDriversPublic:
    reported = await service.latest(session)
    if reported is None:
        return ProvisioningDriversPublic(reported_at=None, configuration=None)
    return ProvisioningDriversPublic(reported_at=reported.reported_at, configuration=reported.configuration)

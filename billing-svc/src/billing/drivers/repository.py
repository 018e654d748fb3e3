from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import DriverConfiguration, DriversConfigured
from billing.drivers.models import ProvisioningDrivers

_ROW = 1


@dataclass(frozen=True)
class ReportedDrivers:
    configuration: DriverConfiguration
    reported_at: datetime


class DriversRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self) -> ReportedDrivers | None:
        """What provisioning last reported, or None before its first report."""
        row = await self.session.scalar(select(ProvisioningDrivers).where(ProvisioningDrivers.id == _ROW))
        if row is None:
            return None
        return ReportedDrivers(DriverConfiguration.model_validate(row.configuration), row.reported_at)

    async def record(self, event: DriversConfigured) -> None:
        """Keep `event` unless a later report is already kept (replicas and restarts report in any order)."""
        values = {"configuration": event.configuration.model_dump(mode="json"), "reported_at": event.occurred_at,
                  "event_id": event.event_id}
        stmt = insert(ProvisioningDrivers).values(id=_ROW, **values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[ProvisioningDrivers.id], set_=values,
            where=ProvisioningDrivers.reported_at <= stmt.excluded.reported_at,
        ))

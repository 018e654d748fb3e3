"""What the consumers, the action worker and the endpoints share, wired once by `create_app` (bootstrap)."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from abono.clock import Clock, SystemClock
from abono.crypto import SecretBox
from provisioning.business_calendar import BusinessCalendar
from provisioning.config import ProvisioningSettings
from provisioning.domains.search import AvailabilityCache
from provisioning.drivers.registry import DriverRegistry


@dataclass
class Runtime:
    settings: ProvisioningSettings
    box: SecretBox
    calendar: BusinessCalendar
    drivers: DriverRegistry
    availability: AvailabilityCache
    clock: Clock = field(default_factory=SystemClock)  # replaced by the app's (test mode: the movable one)

    @classmethod
    def build(cls, settings: ProvisioningSettings) -> "Runtime":
        calendar = BusinessCalendar(country=settings.holiday_country, timezone=settings.calendar_timezone)
        return cls(settings=settings, box=SecretBox(settings.secret_keys), calendar=calendar,
                   drivers=DriverRegistry(settings, calendar),
                   availability=AvailabilityCache(settings.domain_availability_cache_seconds))


async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]

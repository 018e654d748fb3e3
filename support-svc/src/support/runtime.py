"""What the consumers, the scheduler, the mail server and the endpoints share, wired once by `create_app`."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock, SystemClock
from support.config import SupportSettings
from support.sla.calendar import BusinessHours
from support.tickets.repository import CalendarRepository


@dataclass
class Runtime:
    settings: SupportSettings
    clock: Clock = field(default_factory=SystemClock)  # replaced by the app's (test mode: the movable one)

    async def business_hours(self, session: AsyncSession) -> BusinessHours:
        """S-2's calendar with staff's overrides as they stand now (read each time: no restart needed)."""
        days_off, working_days = await CalendarRepository(session).overrides()
        return self.settings.business_hours(days_off=days_off, working_days=working_days)


async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]

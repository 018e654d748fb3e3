"""#19 item 3: billing asks provisioning for its drivers (`DriversRequested`) while it keeps no report: provisioning's
announcement at its start is lost if billing's queue did not exist yet (a new installation, services started in any
order: `abono.events.drivers`)."""

from fastapi import FastAPI

from abono.db import unit_of_work
from abono.events import DriversRequested
from abono.messaging import emit
from billing.drivers.repository import DriversRepository


async def request_drivers(app: FastAPI) -> None:
    """`ServiceSpec.on_subscribed`: once billing's queues are bound, ask provisioning for its configuration unless a
    report is kept already (later ones reach the bound queue by themselves)."""
    async with unit_of_work(app.state.sessionmaker) as session:
        if await DriversRepository(session).latest() is None:
            await emit(session, DriversRequested())

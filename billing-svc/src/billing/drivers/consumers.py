"""#19 item 3: provisioning's `DriversConfigured` kept as billing's read model (the latest report wins), and asked for
with `DriversRequested` while billing has none: provisioning's announcement at its start is lost if billing's queue
did not exist yet (a new installation, services started in any order: `abono.events.drivers`)."""

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import unit_of_work
from abono.events import DriversConfigured, DriversRequested
from abono.messaging import emit
from abono.messaging.consumer import Consumer
from billing.drivers.repository import DriversRepository

consumer = Consumer("provisioning_drivers")


@consumer.on(DriversConfigured)
async def drivers_configured(session: AsyncSession, event: DriversConfigured) -> None:
    await DriversRepository(session).record(event)


async def request_drivers(app: FastAPI) -> None:
    """`ServiceSpec.on_subscribed`: once this consumer's queue is bound, ask provisioning for its configuration unless
    billing already keeps a report (later ones reach the bound queue by themselves)."""
    async with unit_of_work(app.state.sessionmaker) as session:
        if await DriversRepository(session).latest() is None:
            await emit(session, DriversRequested())

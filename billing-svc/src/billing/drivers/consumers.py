"""#19 item 3: provisioning's `DriversConfigured` kept as billing's read model (the latest report wins; asked for
by `jobs.request_drivers` while there is none)."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import DriversConfigured
from abono.messaging.consumer import Consumer
from billing.drivers.repository import DriversRepository

consumer = Consumer("provisioning_drivers")


@consumer.on(DriversConfigured)
async def drivers_configured(session: AsyncSession, event: DriversConfigured) -> None:
    await DriversRepository(session).record(event)

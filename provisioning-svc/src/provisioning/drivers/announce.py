"""#19 item 3 (P-4): provisioning tells the platform which drivers it can run (`DriversConfigured`, through the
outbox), so billing refuses products that could never be provisioned. Servers, endpoints and the registrar are this
service's environment: a change is a restart, and every start announces the configuration again, once this
service's queues are bound (`ServiceSpec.on_subscribed`); billing's `DriversRequested` gets an answer too (billing
started after the announcement was published: `abono.events.drivers` says why both are needed)."""

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import unit_of_work
from abono.events import DriversConfigured
from abono.messaging import emit
from provisioning.runtime import Runtime


async def announce(session: AsyncSession, runtime: Runtime) -> None:
    """Emit this installation's driver configuration in the session's transaction."""
    await emit(session, DriversConfigured(configuration=runtime.drivers.configuration()))


async def announce_drivers(app: FastAPI) -> None:
    async with unit_of_work(app.state.sessionmaker) as session:
        await announce(session, app.state.runtime)

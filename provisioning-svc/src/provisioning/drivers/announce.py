"""#19 item 3 (P-4): at start-up provisioning tells the platform which drivers it can run (`DriversConfigured`, through
the outbox), so billing refuses products that could never be provisioned. Servers, endpoints and the registrar are
this service's environment: a change is a restart, and every start announces the configuration again."""

from fastapi import FastAPI

from abono.db import unit_of_work
from abono.events import DriversConfigured
from abono.messaging import emit
from provisioning.runtime import Runtime


async def announce_drivers(app: FastAPI) -> None:
    runtime: Runtime = app.state.runtime
    async with unit_of_work(app.state.sessionmaker) as session:
        await emit(session, DriversConfigured(configuration=runtime.drivers.configuration()))

from fastapi import FastAPI

import provisioning
import provisioning.models  # every table on the metadata, as in every service
from abono.service import ServiceSpec, create_service_app
from provisioning.actions.endpoints import router as actions_router
from provisioning.actions.worker import ActionWorker
from provisioning.clients.consumers import gateway_consumer
from provisioning.config import ProvisioningSettings
from provisioning.domains.endpoints import router as domains_router
from provisioning.instances.consumers import billing_consumer
from provisioning.instances.endpoints import router as services_router
from provisioning.runtime import Runtime
from provisioning.tasks.endpoints import router as tasks_router
from provisioning.transfers.endpoints import router as transfers_router


async def _start_worker(app: FastAPI) -> None:
    runtime: Runtime = app.state.runtime
    worker = ActionWorker(runtime=runtime, sessionmaker=app.state.sessionmaker, metrics=app.state.metrics)
    app.state.action_worker = worker
    if runtime.settings.run_action_worker:
        worker.start()


async def _stop_worker(app: FastAPI) -> None:
    await app.state.action_worker.stop()
    await app.state.runtime.drivers.aclose()


def create_app(settings: ProvisioningSettings | None = None) -> FastAPI:
    settings = settings or ProvisioningSettings()
    runtime = Runtime.build(settings)
    app = create_service_app(
        ServiceSpec(
            name="provisioning",
            title="Abono provisioning",
            description=provisioning.__doc__ or "",
            settings=settings,
            routers=[services_router, transfers_router, tasks_router, actions_router, domains_router],
            consumers=[billing_consumer(runtime), gateway_consumer()],
            on_startup=[_start_worker],
            on_shutdown=[_stop_worker],
        )
    )
    runtime.clock = app.state.clock  # test mode: the clock the gateway moves
    app.state.runtime = runtime
    return app

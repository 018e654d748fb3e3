from fastapi import FastAPI

import provisioning
import provisioning.models  # every table on the metadata, as in every service
from abono.business_days import calendar_consumer
from abono.service import ServiceSpec, create_service_app
from abono.workers import WorkerSpec
from provisioning.actions.endpoints import router as actions_router
from provisioning.actions.worker import ActionWorker
from provisioning.clients.consumers import gateway_consumer
from provisioning.config import ProvisioningSettings
from provisioning.console.endpoints import router as console_router
from provisioning.domains.endpoints import router as domains_router
from provisioning.drivers.announce import announce_drivers
from provisioning.instances.consumers import billing_consumer
from provisioning.instances.endpoints import router as services_router
from provisioning.runtime import Runtime
from provisioning.site_migrations.endpoints import client_router as migrations_router
from provisioning.site_migrations.endpoints import staff_router as staff_migrations_router
from provisioning.tasks.endpoints import router as tasks_router
from provisioning.transfers.endpoints import router as transfers_router


def _build_worker(app: FastAPI) -> ActionWorker:
    return ActionWorker(runtime=app.state.runtime, sessionmaker=app.state.sessionmaker, metrics=app.state.metrics)


def _worker_enabled(app: FastAPI) -> bool:
    runtime: Runtime = app.state.runtime
    return runtime.settings.run_action_worker


async def _close_drivers(app: FastAPI) -> None:
    await app.state.runtime.drivers.aclose()


ACTION_WORKER = WorkerSpec("action_worker", _build_worker, _worker_enabled)


def create_app(settings: ProvisioningSettings | None = None) -> FastAPI:
    settings = settings or ProvisioningSettings()
    runtime = Runtime.build(settings)
    app = create_service_app(
        ServiceSpec(
            name="provisioning",
            title="Abono provisioning",
            description=provisioning.__doc__ or "",
            settings=settings,
            routers=[services_router, transfers_router, tasks_router, actions_router, domains_router,
                     console_router, migrations_router, staff_migrations_router],
            consumers=[billing_consumer(runtime), gateway_consumer(), calendar_consumer()],
            on_subscribed=[announce_drivers],
            on_shutdown=[_close_drivers],
            workers=[ACTION_WORKER],
        )
    )
    runtime.clock = app.state.clock  # test mode: the clock the gateway moves
    app.state.runtime = runtime
    return app

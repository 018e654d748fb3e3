"""Wiring (bootstrap): settings → runtime, consumers, scheduler and routers, then the service app."""

from fastapi import FastAPI

import support
import support.models  # every table on the metadata, as in every service
from abono.service import ServiceSpec, create_service_app
from support.appointments.endpoints import router as appointments_router
from support.bot.endpoints import router as bot_router
from support.channels.consumers import channels_consumer
from support.channels.mail import start_mail_server
from support.clients.consumers import clients_consumer
from support.config import SupportSettings
from support.ideas.endpoints import router as ideas_router
from support.kb.endpoints import router as kb_router
from support.quotes.endpoints import router as quotes_router
from support.runtime import Runtime
from support.scheduler import SCHEDULER
from support.status.endpoints import router as status_router
from support.tickets.desk import router as desk_router
from support.tickets.endpoints import router as tickets_router


async def _start_mail(app: FastAPI) -> None:
    runtime: Runtime = app.state.runtime
    app.state.mail_server = None
    if runtime.settings.mail_server_enabled:
        server = await start_mail_server(runtime, app.state.sessionmaker)
        app.state.mail_server, app.state.mail_port = server, server.sockets[0].getsockname()[1]


async def _stop_mail(app: FastAPI) -> None:
    if app.state.mail_server is not None:
        app.state.mail_server.close()
        await app.state.mail_server.wait_closed()


def create_app(settings: SupportSettings | None = None) -> FastAPI:
    settings = settings or SupportSettings()
    runtime = Runtime(settings=settings)
    app = create_service_app(
        ServiceSpec(
            name="support",
            title="Abono support",
            description=support.__doc__ or "",
            settings=settings,
            routers=[tickets_router, desk_router, quotes_router, appointments_router, status_router, kb_router,
                     ideas_router, bot_router],
            consumers=[clients_consumer(runtime), channels_consumer(runtime)],
            on_startup=[_start_mail],
            on_shutdown=[_stop_mail],
            workers=[SCHEDULER],
        )
    )
    runtime.clock = app.state.clock
    app.state.runtime = runtime
    return app

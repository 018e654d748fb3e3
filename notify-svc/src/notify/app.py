"""Wiring: settings → renderer, composer, consumers, and the sender (a worker), then the service app."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

import notify
import notify.models  # every table on the metadata, as in every service
from abono.clock import Clock
from abono.service import ServiceSpec, create_service_app
from abono.workers import WorkerSpec
from notify.config import NotifySettings
from notify.contacts import consumers as contact_consumers
from notify.content.rendering import Renderer
from notify.delivery.email import SmtpTransport
from notify.delivery.progress import sender_metrics
from notify.delivery.ratelimit import TokenBucket
from notify.delivery.sender import Sender
from notify.delivery.transport import Transport
from notify.delivery.whatsapp import WhatsAppTransport
from notify.messages.composer import Composer
from notify.messages.consumers import build_consumer
from notify.messages.endpoints import router as messages_router
from notify.messages.models import Channel
from notify.preferences.endpoints import router as preferences_router
from notify.staff.consumers import build_consumer as build_staff_consumer
from notify.template_overrides.endpoints import router as templates_router
from notify.tracking.endpoints import router as tracking_router
from notify.tracking.whatsapp_webhook import router as whatsapp_router


def _build_sender(app: FastAPI) -> Sender:
    settings: NotifySettings = app.state.settings
    # One client for every WhatsApp call: its connections are kept alive and reused, as many as calls in flight.
    wa = settings.whatsapp_connections
    http = httpx.AsyncClient(limits=httpx.Limits(max_connections=wa, max_keepalive_connections=wa))
    app.state.sender_http = http
    smtp = SmtpTransport(settings)
    app.state.smtp_pool = smtp.pool
    transports: dict[Channel, Transport] = {Channel.EMAIL: smtp, Channel.WHATSAPP: WhatsAppTransport(settings, http)}
    limits = {
        Channel.EMAIL: (TokenBucket(settings.smtp_rate_per_second, burst=settings.smtp_connections),
                        settings.smtp_connections),
        Channel.WHATSAPP: (TokenBucket(settings.whatsapp_rate_per_second, burst=wa), wa),
    }
    sent = app.state.metrics.counter("messages_total", "Messages settled by the sender", ("channel", "outcome"))

    def clock() -> Clock:
        clock_: Clock = app.state.clock
        return clock_

    sender = Sender(settings=settings, sessionmaker=app.state.sessionmaker, transports=transports, clock=clock,
                    on_outcome=lambda channel, outcome: sent.labels(channel, outcome).inc(), limits=limits)
    sender_metrics(app.state.metrics, sender, smtp.pool)
    return sender


def _sender_enabled(app: FastAPI) -> bool:
    settings: NotifySettings = app.state.settings
    return settings.run_workers


async def _close_sender_http(app: FastAPI) -> None:
    await app.state.sender_http.aclose()
    pool = getattr(app.state, "smtp_pool", None)
    if pool is not None:
        await pool.close()


SENDER = WorkerSpec("sender", _build_sender, _sender_enabled)


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    renderer = Renderer(panel_url=settings.public_panel_url(), company_name=settings.company_name,
                        default_language=settings.default_language)
    composer = Composer(renderer=renderer, tracking_url=settings.public_tracking_url(),
                        whatsapp_enabled=settings.whatsapp_enabled)
    app: FastAPI | None = None

    def clock() -> Clock:
        assert app is not None
        clock_: Clock = app.state.clock
        return clock_

    app = create_service_app(
        ServiceSpec(
            name="notify",
            title="Abono notifications",
            description=notify.__doc__ or "",
            settings=settings,
            routers=[messages_router, preferences_router, tracking_router, whatsapp_router, templates_router],
            consumers=[contact_consumers.consumer, build_consumer(composer, clock),
                       build_staff_consumer(composer, clock)],
            on_shutdown=[_close_sender_http],
            workers=[SENDER],
        )
    )
    app.state.renderer = renderer  # the console's template previews (notify.template_overrides)
    return app

from fastapi import FastAPI

import notify
from abono.service import ServiceSpec, create_service_app
from notify.config import NotifySettings


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="notify",
            title="Abono notifications",
            description=notify.__doc__ or "",
            settings=settings or NotifySettings(),
        )
    )

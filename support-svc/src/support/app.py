from fastapi import FastAPI

import support
from abono.service import ServiceSpec, create_service_app
from support.config import SupportSettings


def create_app(settings: SupportSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="support",
            title="Abono support",
            description=support.__doc__ or "",
            settings=settings or SupportSettings(),
        )
    )

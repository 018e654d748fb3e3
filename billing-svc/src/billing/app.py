from fastapi import FastAPI

import billing
from abono.service import ServiceSpec, create_service_app
from billing.clients import consumers as client_consumers
from billing.clients.endpoints import router as clients_router
from billing.config import BillingSettings


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="billing",
            title="Abono billing",
            description=billing.__doc__ or "",
            settings=settings or BillingSettings(),
            routers=[clients_router],
            consumers=[client_consumers.consumer],
        )
    )

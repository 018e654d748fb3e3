from fastapi import FastAPI

import provisioning
from abono.service import ServiceSpec, create_service_app
from provisioning.config import ProvisioningSettings


def create_app(settings: ProvisioningSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="provisioning",
            title="Abono provisioning",
            description=provisioning.__doc__ or "",
            settings=settings or ProvisioningSettings(),
        )
    )

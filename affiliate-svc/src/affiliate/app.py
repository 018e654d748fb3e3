from fastapi import FastAPI

import affiliate
from abono.service import ServiceSpec, create_service_app
from affiliate.config import AffiliateSettings


def create_app(settings: AffiliateSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="affiliate",
            title="Abono affiliates",
            description=affiliate.__doc__ or "",
            settings=settings or AffiliateSettings(),
        )
    )

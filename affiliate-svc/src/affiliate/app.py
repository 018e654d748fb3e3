from fastapi import FastAPI

import affiliate
import affiliate.models  # every table on the metadata, as in every service
from abono.crypto import SecretBox
from abono.service import ServiceSpec, create_service_app
from affiliate.commissions.endpoints import router as commissions_router
from affiliate.commissions.maturing import MATURING
from affiliate.config import AffiliateSettings
from affiliate.console import router as console_router
from affiliate.consumers import make_consumers
from affiliate.rates.endpoints import router as rates_router
from affiliate.referrals.endpoints import router as referrals_router
from affiliate.withdrawals.endpoints import router as withdrawals_router


def create_app(settings: AffiliateSettings | None = None) -> FastAPI:
    settings = settings or AffiliateSettings()
    app = create_service_app(
        ServiceSpec(
            name="affiliate",
            title="Abono affiliates",
            description=affiliate.__doc__ or "",
            settings=settings,
            routers=[referrals_router, commissions_router, withdrawals_router, rates_router, console_router],
            consumers=make_consumers(settings),
            workers=[MATURING],
        )
    )
    app.state.secret_box = SecretBox(settings.secret_keys)
    return app

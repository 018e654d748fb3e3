from fastapi import FastAPI

import billing
import billing.models  # every table on the metadata, as in every service
from abono.business_days import calendar_consumer
from abono.service import ServiceSpec, create_service_app
from billing.autopay.endpoints import router as autopay_router
from billing.bootstrap import wire
from billing.business_settings.endpoints import router as business_settings_router
from billing.catalog.endpoints import router as catalog_router
from billing.changes.endpoints import router as changes_router
from billing.clients import consumers as client_consumers
from billing.clients.endpoints import router as clients_router
from billing.config import BillingSettings
from billing.console.endpoints import catalog_router as console_catalog_router
from billing.console.endpoints import router as console_router
from billing.credit import consumers as credit_consumers
from billing.direct_debit.endpoints import router as direct_debit_router
from billing.direct_debit.worker import DIRECT_DEBIT_WORKER
from billing.discounts.endpoints import router as coupons_router
from billing.drivers import consumers as driver_consumers
from billing.drivers.endpoints import router as drivers_router
from billing.drivers.jobs import request_drivers
from billing.invoices.endpoints import my_invoices_hot
from billing.invoices.endpoints import router as invoices_router
from billing.orders.endpoints import router as orders_router
from billing.orders.quotes import quote_consumer
from billing.payments.endpoints import router as payments_router
from billing.payments.webhook_endpoints import router as webhooks_router
from billing.payments.webhook_lane import set_up_webhook_lane
from billing.payments.worker import PAYMENTS_WORKER, drain_webhook_lane, set_up_providers
from billing.promos import consumers as affiliate_consumers
from billing.promos.endpoints import router as referrals_router
from billing.scheduler.runner import SCHEDULER
from billing.subscriptions import consumers as subscription_consumers
from billing.subscriptions.endpoints import router as services_router
from billing.tlds.endpoints import router as tlds_router


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    wire()
    settings = settings or BillingSettings()
    return create_service_app(
        ServiceSpec(
            name="billing",
            title="Abono billing",
            description=billing.__doc__ or "",
            settings=settings,
            routers=[clients_router, catalog_router, drivers_router, coupons_router, orders_router, invoices_router,
                     services_router, changes_router, payments_router, webhooks_router, referrals_router,
                     direct_debit_router, tlds_router, business_settings_router, console_router, console_catalog_router,
                     autopay_router],
            consumers=[client_consumers.consumer, subscription_consumers.consumer, quote_consumer(settings),
                       affiliate_consumers.consumer, credit_consumers.consumer, driver_consumers.consumer,
                       calendar_consumer()],
            on_startup=[set_up_providers, set_up_webhook_lane],
            on_subscribed=[request_drivers],
            on_shutdown=[drain_webhook_lane],
            workers=[SCHEDULER, PAYMENTS_WORKER, DIRECT_DEBIT_WORKER],
            hot_routes={"/invoices": my_invoices_hot},  # "my invoices", the clients' busiest read (issue 20)
        )
    )

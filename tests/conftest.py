"""The whole platform for end-to-end tests: the gateway and the five services, each on its own fresh database
(`abono_e2e_<service>`), the real broker (tests' virtual host), test mode on, served by uvicorn on loopback."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from abono.settings import ServiceSettings
from abono.testing import free_port, migrated_database, platform_settings, serve, test_keys
from affiliate.app import create_app as affiliate_app
from affiliate.config import AffiliateSettings
from billing.app import create_app as billing_app
from billing.config import BillingSettings
from gateway.app import create_app as gateway_app
from gateway.config import GatewaySettings, RateLimit
from notify.app import create_app as notify_app
from notify.config import NotifySettings
from provisioning.app import create_app as provisioning_app
from provisioning.config import ProvisioningSettings
from support.app import create_app as support_app
from support.config import SupportSettings

SERVICES = {
    "billing": ("billing-svc", BillingSettings, billing_app),
    "provisioning": ("provisioning-svc", ProvisioningSettings, provisioning_app),
    "notify": ("notify-svc", NotifySettings, notify_app),
    "support": ("support-svc", SupportSettings, support_app),
    "affiliate": ("affiliate-svc", AffiliateSettings, affiliate_app),
}
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@abono.test", "admin-password-for-tests"


@dataclass
class Platform:
    gateway_url: str
    service_urls: dict[str, str]
    database_urls: dict[str, str]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.gateway_url, timeout=15)

    @staticmethod
    async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
        """Log in through the gateway; the Authorization header for the access token."""
        response = await client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="session")
async def platform() -> AsyncIterator[Platform]:
    names = ["gateway", *SERVICES]
    folders = {"gateway": "gateway", **{name: spec[0] for name, spec in SERVICES.items()}}
    # One at a time: Alembic's `context` is process-global, so migrations cannot run in parallel threads.
    database_urls = {n: await migrated_database(folders[n], f"abono_e2e_{n}") for n in names}
    gateway_port = free_port()
    platform_cfg = platform_settings(test_mode=True, gateway_url=f"http://127.0.0.1:{gateway_port}")
    async with AsyncExitStack() as stack:
        service_urls: dict[str, str] = {}
        for name, (_, settings_cls, factory) in SERVICES.items():
            settings: ServiceSettings = settings_cls(database_url=database_urls[name], platform=platform_cfg,
                                                     outbox_sweep_seconds=0.5)
            app: FastAPI = factory(settings)  # type: ignore[operator]
            service_urls[name] = await stack.enter_async_context(serve(app))
        gateway_settings = GatewaySettings(
            database_url=database_urls["gateway"], platform=platform_cfg, jwt_private_key=test_keys().private_pem,
            service_urls=service_urls, admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD,
            signup_rate_limit=RateLimit(limit=1000, window_seconds=3600), outbox_sweep_seconds=0.5,
        )
        gateway_url = await stack.enter_async_context(serve(gateway_app(gateway_settings), port=gateway_port))
        yield Platform(gateway_url, service_urls, database_urls)


@pytest.fixture
async def gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with platform.client() as client:
        yield client


@pytest.fixture
async def admin_headers(gateway: httpx.AsyncClient, platform: Platform) -> dict[str, str]:
    return await platform.login(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)

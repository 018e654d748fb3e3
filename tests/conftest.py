"""The whole platform for end-to-end tests: the gateway and the five services, each on its own fresh database
(`abono_e2e_<service>`), the real broker (tests' virtual host), test mode on, served by uvicorn on loopback."""

import email
import email.policy
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from abono.settings import ServiceSettings
from abono.testing import (
    E2E_AMQP_URL,
    E2E_VHOST,
    ensure_test_vhost,
    free_port,
    migrated_database,
    platform_settings,
    serve,
    test_keys,
)
from affiliate.app import create_app as affiliate_app
from affiliate.config import AffiliateSettings
from billing.app import create_app as billing_app
from billing.catalog.seed_data import SEED_PRODUCTS
from billing.config import BillingSettings
from billing.fakes import FakeMercadoPago, FakePagos360, FakePayPal, FakeStripe, WebhookTarget
from gateway.app import create_app as gateway_app
from gateway.config import GatewaySettings, RateLimit
from notify.app import create_app as notify_app
from notify.config import NotifySettings
from provisioning.app import create_app as provisioning_app
from provisioning.config import HttpEndpoint, ProvisioningSettings, WhmServer
from provisioning.fakes import FakeProvider, FakeWhm
from provisioning.registrar_fake import FakeResellerClub
from provisioning.registrar_fake_nicar import FakeNicArgentina
from provisioning.registrars.nicar import NicArgentinaSettings
from provisioning.registrars.resellerclub import ResellerClubSettings
from support.app import create_app as support_app
from support.config import SupportSettings

# Helper modules beside the tests (deploy_testkit) are imported by name: --import-mode=importlib adds no test directory
# to sys.path.
sys.path.insert(0, str(Path(__file__).parent))

SERVICES = {
    "billing": ("billing-svc", BillingSettings, billing_app),
    "provisioning": ("provisioning-svc", ProvisioningSettings, provisioning_app),
    "notify": ("notify-svc", NotifySettings, notify_app),
    "support": ("support-svc", SupportSettings, support_app),
    "affiliate": ("affiliate-svc", AffiliateSettings, affiliate_app),
}
STRIPE_SECRET, MERCADOPAGO_SECRET = "whsec_e2e", "mercadopago-e2e-secret"
PAYPAL_WEBHOOK_ID = "WH-E2E"
PAGOS360_TOKEN = "pagos360-e2e-token"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@abono.test", "admin-password-for-tests"
NO_DB = "postgresql+asyncpg://nobody@127.0.0.1:1/none"  # `every_app`'s apps are only built, never started


@pytest.fixture(scope="session")
def every_app() -> dict[str, FastAPI]:
    """The gateway's and every service's app, built but not started: for structural tests of all of them."""
    platform = platform_settings()
    apps = {
        "gateway": gateway_app(
            GatewaySettings(database_url=NO_DB, jwt_private_key=test_keys().private_pem, platform=platform)
        )
    }
    for name, (_, settings, factory) in SERVICES.items():
        apps[name] = factory(settings(database_url=NO_DB, platform=platform))
    return apps


@dataclass
class Platform:
    gateway_url: str
    service_urls: dict[str, str]
    database_urls: dict[str, str]
    fake_whm: FakeWhm | None = None  # the WHM server provisioning's `whm1` points to
    # Billing's Stripe and MercadoPago (webhook secrets STRIPE_SECRET, MERCADOPAGO_SECRET). Their checkout URLs
    # (`redirect_url` of `POST /api/billing/invoices/<id>/pay`) open hosted pages a browser can use: "Pay" sends the
    # provider's signed webhook to this gateway and returns to the panel's success URL, "Decline" to the cancel URL.
    fake_stripe: FakeStripe | None = None
    fake_mercadopago: FakeMercadoPago | None = None
    fake_registrar: FakeResellerClub | None = None  # provisioning's domain registrar (ResellerClub's API)
    # Billing's PayPal (webhook id PAYPAL_WEBHOOK_ID): its approval page's "Pay" approves the order, sends
    # CHECKOUT.ORDER.APPROVED to this gateway and returns to the panel with `token=<order id>`.
    fake_paypal: FakePayPal | None = None
    # The generic HTTP driver's provider behind every other seeded driver (VPS, streaming, mailer, site builder),
    # as `make run`'s sandbox has it: provisioning reports them configured, so billing sells them (#19 item 3).
    fake_provider: FakeProvider | None = None
    # Billing's Pagos360 (#15 item 3): adhesions wait for `sign(ref)`, debits for `settle(ref, ...)`; each sends its
    # webhook to this gateway with the URL's token PAGOS360_TOKEN.
    fake_pagos360: FakePagos360 | None = None
    # NIC Argentina's RDAP for .ar names (#21): `register`, `renew`, `delegate` play staff's steps in its TAD.
    fake_nicar: FakeNicArgentina | None = None

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.gateway_url, timeout=15)

    @staticmethod
    async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
        """Log in through the gateway; the Authorization header for the access token."""
        response = await client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    @staticmethod
    async def client_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
        """The signed-in account's id (sign-up's answer carries none: issue 11)."""
        response = await client.get("/api/auth/me", headers=headers)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])


def _http_drivers() -> set[str]:
    """The seeded catalog's drivers that provisioning's defaults send to the generic HTTP driver."""
    defaults = ProvisioningSettings.model_fields
    aliases, registrars = defaults["driver_aliases"].default, defaults["registrar_drivers"].default
    return {p.driver for p in SEED_PRODUCTS
            if p.driver not in registrars and aliases.get(p.driver, p.driver) not in ("whm", "manual")}


@dataclass
class MailSink:
    """The platform's SMTP server (aiosmtpd): notify mails here; tests read what arrived."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.received if m["To"] == address]


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
async def platform(mail_sink: MailSink) -> AsyncIterator[Platform]:
    names = ["gateway", *SERVICES]
    folders = {"gateway": "gateway", **{name: spec[0] for name, spec in SERVICES.items()}}
    # One at a time: Alembic's `context` is process-global, so migrations cannot run in parallel threads.
    database_urls = {n: await migrated_database(folders[n], f"abono_e2e_{n}") for n in names}
    gateway_port = free_port()
    ensure_test_vhost(E2E_VHOST, fresh=True)
    platform_cfg = platform_settings(test_mode=True, gateway_url=f"http://127.0.0.1:{gateway_port}",
                                     amqp_url=E2E_AMQP_URL)
    async with AsyncExitStack() as stack:
        fake_whm = FakeWhm()
        whm_url = await stack.enter_async_context(serve(fake_whm.app()))
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        fake_stripe = FakeStripe(webhook=WebhookTarget(f"{gateway_url}/webhooks/stripe", STRIPE_SECRET))
        fake_mercadopago = FakeMercadoPago(
            webhook=WebhookTarget(f"{gateway_url}/webhooks/mercadopago", MERCADOPAGO_SECRET)
        )
        fake_paypal = FakePayPal(
            client_id="e2e-paypal", client_secret="e2e-paypal-secret", webhook_id=PAYPAL_WEBHOOK_ID,
            webhook=WebhookTarget(f"{gateway_url}/webhooks/paypal", ""),
        )
        fake_pagos360 = FakePagos360(webhook=WebhookTarget(f"{gateway_url}/webhooks/pagos360", PAGOS360_TOKEN))
        pagos360_url = await stack.enter_async_context(serve(fake_pagos360.app))
        fake_registrar = FakeResellerClub()
        fake_provider = FakeProvider()
        provider_url = await stack.enter_async_context(serve(fake_provider.app()))
        registrar_url = await stack.enter_async_context(serve(fake_registrar.app()))
        fake_nicar = FakeNicArgentina()
        nicar_url = await stack.enter_async_context(serve(fake_nicar.app()))
        stripe_url = await stack.enter_async_context(serve(fake_stripe.app))
        mercadopago_url = await stack.enter_async_context(serve(fake_mercadopago.app))
        paypal_url = await stack.enter_async_context(serve(fake_paypal.app))
        fake_stripe.public_url, fake_mercadopago.public_url = stripe_url, mercadopago_url
        fake_paypal.public_url = paypal_url
        extra: dict[str, dict[str, object]] = {"billing": {
            "stripe_api_key": "sk_test_e2e", "stripe_api_url": stripe_url, "stripe_webhook_secrets": [STRIPE_SECRET],
            "mercadopago_access_token": "TEST-e2e", "mercadopago_api_url": mercadopago_url,
            "mercadopago_webhook_secret": MERCADOPAGO_SECRET, "payments_public_url": gateway_url,
            "paypal_client_id": fake_paypal.client_id, "paypal_client_secret": fake_paypal.client_secret,
            "paypal_api_url": paypal_url, "paypal_webhook_id": PAYPAL_WEBHOOK_ID,
            "pagos360_api_key": fake_pagos360.api_key, "pagos360_api_url": pagos360_url,
            "pagos360_webhook_token": PAGOS360_TOKEN,
        }, "provisioning": {
            "whm_servers": {"whm1": WhmServer(url=whm_url, token=fake_whm.token)}, "action_poll_seconds": 0.1,
            "http_endpoints": {driver: HttpEndpoint(url=f"{provider_url}/provision", secret=fake_provider.secret)
                               for driver in _http_drivers()},
            "resellerclub": ResellerClubSettings(url=f"{registrar_url}/api", auth_userid=fake_registrar.auth_userid,
                                                 api_key=fake_registrar.api_key),
            "nicar": NicArgentinaSettings(rdap_url=nicar_url), "nicar_task_recheck_seconds": 0.5,
        }, "notify": {"smtp_port": mail_sink.port, "sender_poll_seconds": 0.1}}
        service_urls: dict[str, str] = {}
        for name, (_, settings_cls, factory) in SERVICES.items():
            settings: ServiceSettings = settings_cls(database_url=database_urls[name], platform=platform_cfg,
                                                     outbox_sweep_seconds=0.5, **extra.get(name, {}))
            app: FastAPI = factory(settings)  # type: ignore[operator]
            service_urls[name] = await stack.enter_async_context(serve(app))
            # Its queues bound before a test (or the next service's start) publishes what they should receive.
            await app.state.consumer_runner.wait_consuming()
        gateway_settings = GatewaySettings(
            database_url=database_urls["gateway"], platform=platform_cfg, jwt_private_key=test_keys().private_pem,
            service_urls=service_urls, admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD,
            # The suite logs in as the admin for nearly every test from one IP: faster than the deployed limits
            # (10 a minute per address, 60 per IP) on a quick machine. gateway/tests prove those limits.
            signup_rate_limit=RateLimit(limit=1000, window_seconds=3600), outbox_sweep_seconds=0.5,
            login_rate_limit=RateLimit(limit=1000, window_seconds=60),
            login_ip_rate_limit=RateLimit(limit=10_000, window_seconds=60),
        )
        gateway_url = await stack.enter_async_context(serve(gateway_app(gateway_settings), port=gateway_port))
        yield Platform(gateway_url, service_urls, database_urls, fake_whm, fake_stripe, fake_mercadopago,
                       fake_registrar, fake_paypal, fake_provider, fake_pagos360, fake_nicar)


@pytest.fixture
async def gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with platform.client() as client:
        yield client


@pytest.fixture
async def admin_headers(gateway: httpx.AsyncClient, platform: Platform) -> dict[str, str]:
    return await platform.login(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)

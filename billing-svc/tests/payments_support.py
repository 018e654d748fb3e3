"""The payments test bench: fake Stripe, MercadoPago and PayPal APIs, and a billing app pointed at them."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from billing_helpers import auth, db_session
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import make_engine, make_sessionmaker
from abono.testing import platform_settings, serve
from billing.app import create_app
from billing.config import BillingSettings
from billing.fakes import FakeMercadoPago, FakePayPal, FakeStripe, stripe_headers
from billing.payments.provider import PaymentProvider
from billing.payments.registry import build_providers

STRIPE_SECRET = "whsec_test_current"
STRIPE_OLD_SECRET = "whsec_test_previous"
MP_SECRET = "mp-webhook-secret"
PAYPAL_WEBHOOK_ID = "WH-ABONO-TEST"


@dataclass
class PaymentsEnv:
    billing: httpx.AsyncClient
    stripe: FakeStripe
    mp: FakeMercadoPago
    paypal: FakePayPal
    settings: BillingSettings
    sessionmaker: async_sessionmaker[AsyncSession]
    providers: dict[str, PaymentProvider]
    db_url: str
    app: FastAPI

    async def webhooks_done(self) -> None:
        """Await every webhook processing the app still runs after its answers (the work itself, no guessed
        sleep); a task started by one of them is awaited too."""
        while tasks := list(self.app.state.webhook_lane.tasks):
            await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def payments_env(db_url: str, **overrides: object) -> AsyncIterator[PaymentsEnv]:
    stripe_fake, mp_fake = FakeStripe(), FakeMercadoPago()
    paypal_fake = FakePayPal(client_id="abono-test", client_secret="abono-test-secret", webhook_id=PAYPAL_WEBHOOK_ID)
    async with AsyncExitStack() as stack:
        stripe_url = await stack.enter_async_context(serve(stripe_fake.app))
        mp_url = await stack.enter_async_context(serve(mp_fake.app))
        paypal_url = await stack.enter_async_context(serve(paypal_fake.app))
        values: dict[str, object] = {
            "database_url": db_url, "outbox_sweep_seconds": 0.5, "platform": platform_settings(),
            "scheduler_enabled": False, "payments_worker_enabled": False,
            "stripe_api_key": "sk_test_abono", "stripe_api_url": stripe_url,
            "stripe_webhook_secrets": [STRIPE_OLD_SECRET, STRIPE_SECRET],
            "mercadopago_access_token": "TEST-token", "mercadopago_api_url": mp_url,
            "mercadopago_webhook_secret": MP_SECRET,
            "paypal_client_id": paypal_fake.client_id, "paypal_client_secret": paypal_fake.client_secret,
            "paypal_api_url": paypal_url, "paypal_webhook_id": PAYPAL_WEBHOOK_ID,
        }
        values.update(overrides)
        settings = BillingSettings(**values)  # type: ignore[arg-type]
        app = create_app(settings)
        base_url = await stack.enter_async_context(serve(app))
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=20))
        engine = make_engine(db_url, pool_size=4)
        stack.push_async_callback(engine.dispose)
        yield PaymentsEnv(billing=client, stripe=stripe_fake, mp=mp_fake, paypal=paypal_fake, settings=settings,
                          sessionmaker=make_sessionmaker(engine), providers=build_providers(settings), db_url=db_url,
                          app=app)


async def new_client(url: str, *, currency: str = "USD", country: str | None = None) -> uuid.UUID:
    from abono.events import ClientProfile
    from billing.clients.repository import ClientRepository

    client_id = uuid.uuid4()
    async with db_session(url) as session:
        await ClientRepository(session).upsert(client_id, ClientProfile(
            email=f"{client_id.hex[:8]}@example.test", name="Cliente", currency=currency, country=country),
            at=datetime.now(UTC))
    return client_id


async def unpaid_order(billing: httpx.AsyncClient, client_id: uuid.UUID, code: str = "vps-1",
                       payment_method: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"items": [{"product_code": code, "cycle": "monthly", "quantity": 1}]}
    if payment_method:
        body["payment_method"] = payment_method
    placed = await billing.post("/orders", headers=auth(client_id), json=body)
    assert placed.status_code == 201, placed.text
    result: dict[str, object] = placed.json()
    return result


async def post_stripe(billing: httpx.AsyncClient, event: dict[str, object], secret: str = STRIPE_SECRET,
                      timestamp: int | None = None) -> httpx.Response:
    """A Stripe event as Stripe sends it: the raw body, signed."""
    body = json.dumps(event)
    return await billing.post("/webhooks/stripe", content=body, headers=stripe_headers(body, secret, timestamp))

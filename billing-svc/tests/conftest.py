from collections.abc import AsyncIterator

import httpx
import pytest

from abono.testing import migrated_database, platform_settings, serve
from billing.app import create_app
from billing.config import BillingSettings


@pytest.fixture(scope="module")
async def billing_db() -> str:
    return await migrated_database("billing-svc", "abono_test_billing")


@pytest.fixture(scope="module")
async def billing_url(billing_db: str) -> AsyncIterator[str]:
    url = billing_db
    settings = BillingSettings(database_url=url, outbox_sweep_seconds=0.5, platform=platform_settings())
    async with serve(create_app(settings)) as base_url:
        yield base_url


@pytest.fixture
async def billing(billing_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=billing_url, timeout=10) as client:
        yield client

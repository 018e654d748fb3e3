import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import make_engine, make_sessionmaker
from abono.testing import migrated_database, platform_settings, serve
from billing.app import create_app
from billing.bootstrap import wire
from billing.config import BillingSettings

# `billing_helpers` (tests' small factories) is imported by name from this folder.
sys.path.insert(0, str(Path(__file__).parent))
from billing_helpers import db_session

from billing.catalog.seeding import load_seed_catalog

wire()  # tests that call billing's jobs directly settle invoices as the app does


@pytest.fixture(scope="module")
async def billing_db() -> str:
    url = await migrated_database("billing-svc", "abono_test_billing")
    async with db_session(url) as session:
        await load_seed_catalog(session)
    return url


@pytest.fixture(scope="module")
async def billing_url(billing_db: str) -> AsyncIterator[str]:
    url = billing_db
    # The scheduler is driven by the tests themselves (billing.scheduler.runner.run_once with their own clock).
    settings = BillingSettings(database_url=url, outbox_sweep_seconds=0.5, platform=platform_settings(),
                               scheduler_enabled=False)
    async with serve(create_app(settings)) as base_url:
        yield base_url


@pytest.fixture
async def billing(billing_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=billing_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
async def sessionmaker(billing_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(billing_db, pool_size=4)
    yield make_sessionmaker(engine)
    await engine.dispose()

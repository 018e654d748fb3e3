"""Provisioning tests: real PostgreSQL (one database for the session), the real broker, fake panels on loopback."""

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).parent))  # the helpers below, for the test modules too

from provisioning_testkit import QUEUES, VHOST, Fakes, Served, make_settings

from abono.clock import FixedClock
from abono.db import make_engine, make_sessionmaker
from abono.metrics import ServiceMetrics
from abono.testing import migrated_database, serve, serve_alone
from provisioning.actions.worker import ActionWorker
from provisioning.app import create_app
from provisioning.fakes import FakeProvider, FakeWhm
from provisioning.registrar_fake import FakeResellerClub
from provisioning.registrar_fake_nicar import FakeNicArgentina
from provisioning.runtime import Runtime


@pytest.fixture(scope="session")
async def provisioning_db() -> str:
    return await migrated_database("provisioning-svc", "abono_test_provisioning")


@pytest.fixture(scope="session")
async def fakes() -> AsyncIterator[Fakes]:
    whm, provider, registrar, nicar = FakeWhm(), FakeProvider(), FakeResellerClub(), FakeNicArgentina()
    async with serve(whm.app()) as whm_url, serve(provider.app()) as provider_url, \
            serve(registrar.app()) as registrar_url, serve(nicar.app()) as nicar_url:
        yield Fakes(whm, whm_url, provider, provider_url, registrar, registrar_url, nicar, nicar_url)


@pytest.fixture(scope="session")
async def sessionmaker(provisioning_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(provisioning_db, pool_size=4)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def runtime(provisioning_db: str, fakes: Fakes) -> AsyncIterator[Runtime]:
    """For direct tests: the app's wiring with a clock the test moves."""
    # A large batch: a pass reaches this test's actions whatever other tests left failing.
    built = Runtime.build(make_settings(provisioning_db, fakes, action_batch_size=1000))
    built.clock = FixedClock(datetime.now(UTC))
    yield built
    await built.drivers.aclose()


@pytest.fixture
def worker(runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession]) -> ActionWorker:
    return ActionWorker(runtime=runtime, sessionmaker=sessionmaker, metrics=ServiceMetrics("provisioning"))


@pytest.fixture(scope="module")
async def served(provisioning_db: str, fakes: Fakes) -> AsyncIterator[Served]:
    """The whole app (consumers, worker, endpoints) on the test database and broker."""
    app = create_app(make_settings(provisioning_db, fakes))
    async with serve_alone(app, provisioning_db, vhost=VHOST, queues=QUEUES) as served:
        yield served



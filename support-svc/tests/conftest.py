"""support-svc against the real PostgreSQL and RabbitMQ (its own virtual host): the whole app served on loopback,
its movable test clock, and events published as their producers' relays do."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers below, for the test modules too

from support_testkit import VHOST, Served, make_settings

from abono.testing import migrated_database, serve_alone
from support.app import create_app


@pytest.fixture(scope="session")
async def support_db() -> str:
    return await migrated_database("support-svc", "abono_test_support")


@pytest.fixture(scope="module")
async def served(support_db: str) -> AsyncIterator[Served]:
    """The whole app (consumers, endpoints) on the test database and broker. Its scheduler does not run by itself:
    tests set its clock to instants of their own, so they run passes (`app.state.scheduler.run_once()`) or serve
    replicas of their own."""
    app = create_app(make_settings(support_db, run_scheduler=False))
    async with serve_alone(app, support_db, vhost=VHOST, served=Served) as served:
        yield served

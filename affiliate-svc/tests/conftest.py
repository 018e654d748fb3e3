"""Affiliate tests: real PostgreSQL (one database for the session), the real broker (a virtual host of our own),
the app served over real HTTP; events published as the gateway's and billing's relays would."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers below, for the test modules too

from affiliate_testkit import QUEUES, VHOST, Served, make_settings

from abono.testing import migrated_database, serve_alone
from affiliate.app import create_app


@pytest.fixture(scope="session")
async def affiliate_db() -> str:
    return await migrated_database("affiliate-svc", "abono_test_affiliate")


@pytest.fixture(scope="module")
async def served(affiliate_db: str) -> AsyncIterator[Served]:
    app = create_app(make_settings(affiliate_db))
    async with serve_alone(app, affiliate_db, vhost=VHOST, queues=QUEUES) as served:
        yield served

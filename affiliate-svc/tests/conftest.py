"""Affiliate tests: real PostgreSQL (one database for the session), the real broker (a virtual host of our own),
the app served over real HTTP; events published as the gateway's and billing's relays would."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers below, for the test modules too

from affiliate_testkit import Served, ensure_vhost, make_settings, purge_queues

from abono.db import asyncpg_dsn
from abono.testing import migrated_database, serve
from affiliate.app import create_app


@pytest.fixture(scope="session")
async def affiliate_db() -> str:
    return await migrated_database("affiliate-svc", "abono_test_affiliate")


@pytest.fixture(scope="module")
async def served(affiliate_db: str) -> AsyncIterator[Served]:
    conn = await asyncpg.connect(asyncpg_dsn(affiliate_db))
    try:  # events emitted by an earlier module were never meant to be published
        await conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    finally:
        await conn.close()
    ensure_vhost()
    await purge_queues()
    app = create_app(make_settings(affiliate_db))
    async with serve(app) as url:
        await app.state.consumer_runner.wait_consuming()
        yield Served(app, url, affiliate_db)

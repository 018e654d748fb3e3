"""`abono.db` engines: no per-checkout ping, yet a connection the server closed is never handed out; the read
engine runs statements without BEGIN/COMMIT on connections PostgreSQL keeps read-only."""

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from types import SimpleNamespace

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from abono.db import _request_read_driver, make_engine, make_read_engine, make_sessionmaker, unit_of_work
from abono.testing import PG_ADMIN_DSN, recreate_database, wait_for


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[str]:
    name = f"abono_test_db_{uuid.uuid4().hex[:8]}"
    url = await recreate_database(name)
    yield url
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _now(session: AsyncSession) -> datetime:
    now: datetime = (await session.execute(text("SELECT now()"))).scalar_one()
    return now


async def _terminate(pid: int) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)

        async def gone() -> bool:
            return bool(await admin.fetchval("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $1", pid))

        await wait_for(gone, what="the terminated backend to exit")
    finally:
        await admin.close()


@pytest.mark.parametrize("make", [make_engine, make_read_engine])
async def test_a_pooled_connection_the_server_killed_is_replaced_at_checkout(database: str, make: object) -> None:
    engine: AsyncEngine = make(database, pool_size=1)  # type: ignore[operator]
    try:
        async with engine.connect() as conn:  # the pool's one connection, as asyncpg sees it
            driver = (await conn.get_raw_connection()).driver_connection
        first = await _backend_pid(engine)
        await _terminate(first)
        # The server's goodbye (its FATAL message, then the socket's end) reaches this event loop a moment after the
        # backend left pg_stat_activity; a checkout between the two found asyncpg mid-message ("cannot switch to
        # state 12; another operation (2) is in progress", once in CI at a load of 8). What is tested is the checkout
        # of a connection the client knows is closed.
        await wait_for(lambda: driver is not None and driver.is_closed(), what="the client to see its socket closed")
        # pool_size=1 and no pre-ping: without the checkout check this would reuse the dead connection and fail.
        second = await _backend_pid(engine)
        assert second != first
    finally:
        await engine.dispose()


async def test_the_read_engine_refuses_writes_and_sends_no_begin(database: str) -> None:
    engine = make_read_engine(database, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            # now() is the transaction's start: two statements see two transactions, i.e. no BEGIN was sent.
            assert await _now(session) != await _now(session)
            with pytest.raises(DBAPIError, match="read-only transaction"):
                await session.execute(text("CREATE TABLE must_not_exist (id int)"))
    finally:
        await engine.dispose()
    writer = make_engine(database, pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(writer)) as session:
            assert await _now(session) == await _now(session)  # the probe does see the ordinary transaction
    finally:
        await writer.dispose()


@pytest.mark.parametrize("pooled", [False, True])
async def test_read_driver_connections_refuse_writes(database: str, pooled: bool) -> None:
    """`ReadDriverDep` (asyncpg itself, issue 20): autocommit on the read engine's read-only connections, or, behind
    PgBouncer's transaction pooling, each read in a `BEGIN READ ONLY` transaction: a write fails either way."""
    engine = make_read_engine(database, pool_size=1, transaction_pooling=pooled)
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(read_engine=engine)))
    try:
        for _ in range(2):  # the connection goes back to the pool usable
            reads = _request_read_driver(request)  # type: ignore[arg-type]
            driver = await anext(reads)
            assert await driver.fetchval("SELECT 41 + $1::int", 1) == 42
            # now() is the transaction's start: autocommit sees two of them, a read-only transaction one
            assert (await driver.fetchval("SELECT now()") == await driver.fetchval("SELECT now()")) is pooled
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await driver.execute("CREATE TABLE must_not_exist (id int)")
            with pytest.raises(StopAsyncIteration):
                await anext(reads)
    finally:
        await engine.dispose()

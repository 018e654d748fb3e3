"""Async SQLAlchemy: one engine per service, one transaction per unit of work.

Services and repositories only `flush()`; the boundary commits: the request dependency (`SessionDep`,
committed before the response is sent) or `async with unit_of_work(sessionmaker) as session` in a consumer or
a scheduled job. Endpoints that only read take `ReadSessionDep`: no `BEGIN`/`COMMIT` round trips, on connections
PostgreSQL itself keeps read-only.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import BigInteger, BindParameter, DateTime, Identity, Index, MetaData, Text, bindparam, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import greenlet_spawn

_AUTOCOMMIT_READS = "abono_autocommit_reads"
_TRANSACTION_POOLING = "abono_transaction_pooling"
_ASYNCPG = PGDialect_asyncpg()  # type: ignore[no-untyped-call]
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def trigram_index(name: str, expression: str) -> Index:
    """A GIN trigram index on `expression` (pg_trgm): serves `ILIKE '%q%'` and similarity searches."""
    return Index(name, text(f"{expression} gin_trgm_ops"), postgresql_using="gin")


def search_pattern(pattern: str) -> BindParameter[str]:
    """A search box's `LIKE` pattern written into the statement's text (escaped by SQLAlchemy) instead of sent as a
    parameter. asyncpg prepares every statement and PostgreSQL gives a prepared statement a generic plan after five
    runs: a plan for `LIKE $1` cannot see the pattern, so it reads a trigram index badly or the whole table (bench
    staff_search: the sixth search of a kind took 75-120 ms instead of 5-15 on 100k clients). With the pattern in the
    text, every search is planned for what was typed."""
    return bindparam(None, pattern, type_=Text(), literal_execute=True)


def new_metadata() -> MetaData:
    """A service's own metadata, with the explicit constraint naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class AuditColumns:
    """A mixin for a service's audit table (a model class: `class X(AuditColumns, Base)`): who did what and when,
    with the action's details; a row is only ever added. The table's own columns (whom it concerns...) go beside."""

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def pooler_connect_args() -> dict[str, Any]:
    """asyncpg behind PgBouncer in transaction pooling mode (#12 item 9): consecutive transactions of one client
    run on different server connections, so no prepared statement may outlive its transaction. asyncpg's statement
    cache and SQLAlchemy's are off, and each statement asyncpg still prepares gets a name of its own (never
    `__asyncpg_stmt_1__` twice on one server connection)."""
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4().hex}__",
    }


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int | None = None,
                transaction_pooling: bool = False) -> AsyncEngine:
    """The service's engine (`max_overflow`: as many as `pool_size` unless said). No `pool_pre_ping`: it cost
    three round trips per checkout (BEGIN, a ping, ROLLBACK); a connection whose socket the server closed (restart,
    `pg_terminate_backend`) is instead replaced at checkout for free (`_replace_closed`), and a connection that
    fails mid-query is invalidated by SQLAlchemy, so only the request that was using it fails.
    `transaction_pooling`: the URL is a PgBouncer in transaction mode (`pooler_connect_args`)."""
    engine = create_async_engine(url, pool_size=pool_size,
                                 max_overflow=pool_size if max_overflow is None else max_overflow,
                                 connect_args=pooler_connect_args() if transaction_pooling else {},
                                 execution_options={_TRANSACTION_POOLING: transaction_pooling})
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed)
    return engine


def make_read_engine(url: str, *, pool_size: int = 20, transaction_pooling: bool = False) -> AsyncEngine:
    """An engine for reads only: autocommit (each statement its own implicit transaction, so no `BEGIN` and
    `COMMIT` round trips) on connections opened with `default_transaction_read_only`, so PostgreSQL refuses any
    write made through it. Connections are opened on demand: an idle read pool costs nothing. No overflow: under
    load, overflow connections were opened and closed per request (~9 % of billing's CPU at 64 concurrent reads);
    these stay open once made.

    Behind a transaction-pooling PgBouncer neither holds: a statement outside a transaction may be prepared on one
    server connection and run on another, and no session setting may be sent. There, reads run in `BEGIN READ ONLY`
    transactions (PostgreSQL still refuses a write), at the cost of the two round trips."""
    if transaction_pooling:
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, connect_args=pooler_connect_args(),
                                     execution_options={"postgresql_readonly": True})
    else:
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": {"default_transaction_read_only": "on"}},
            execution_options={_AUTOCOMMIT_READS: True},  # for `ReadDriverDep` (SQLAlchemy ignores the key)
        )
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed)
    return engine


def _replace_closed(_dbapi: object, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    # asyncpg notices the server closing the socket as soon as the event loop reads the EOF; no round trip.
    # DisconnectionError makes the pool discard this connection and check out (or open) another one.
    driver = record.driver_connection
    if driver is None or driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    async with sessionmaker() as session, session.begin():
        yield session


@asynccontextmanager
async def single_statement(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work of exactly one statement, sent in autocommit: PostgreSQL runs it in its own implicit
    transaction, so it is as atomic as in `unit_of_work`, without the `BEGIN` and `COMMIT` round trips (issue 20:
    a webhook is stored with one round trip instead of three). A second statement would commit on its own: use
    `unit_of_work` for anything more. Behind a transaction-pooling PgBouncer (`make_engine(transaction_pooling=
    True)`) a statement outside a transaction may be prepared on one server connection and run on another, so there
    it is an ordinary transaction."""
    async with sessionmaker() as session, session.begin():
        bind = session.bind
        if isinstance(bind, AsyncEngine) and not bind.get_execution_options().get(_TRANSACTION_POOLING, True):
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


async def _request_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    readers: async_sessionmaker[AsyncSession] | None = getattr(request.app.state, "read_sessionmaker", None)
    if readers is None:  # an app without a read engine: the same reads, in an ordinary transaction
        async with unit_of_work(request.app.state.sessionmaker) as session:
            yield session
        return
    async with readers() as session:
        yield session


@asynccontextmanager
async def read_driver(app: Any) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection of `app`'s read engine as asyncpg's own (read-only: autocommit, or each use in a read-only
    transaction behind PgBouncer), back in the pool when the block ends. An endpoint that takes it in an `async with`
    instead of `ReadDriverDep` spares FastAPI's generator-dependency work (an exit stack and a shielded exit per
    request: ~10 % of billing's CPU for "my invoices", issue 20)."""
    engine: AsyncEngine = getattr(app.state, "read_engine", None) or app.state.engine
    # The pool's own checkout and checkin (its events, `_replace_closed` included, and its reset), one greenlet each:
    # `engine.connect()` + `get_raw_connection()` + close took three and a shielded task, ~80 us of CPU a request
    # (issue 20, billing's "my invoices"). The checkin does no I/O here (no transaction was begun through
    # SQLAlchemy), so a cancellation cannot leave the connection out of the pool.
    pooled = await greenlet_spawn(engine.sync_engine.raw_connection)
    try:
        driver: asyncpg.Connection = pooled.driver_connection
        if engine.get_execution_options().get(_AUTOCOMMIT_READS):
            yield driver  # autocommit on a connection PostgreSQL keeps read-only
        else:  # behind PgBouncer (or no read engine): each read in its own read-only transaction
            async with driver.transaction(readonly=True):
                yield driver
    finally:
        await greenlet_spawn(pooled.close)


async def _request_read_driver(request: Request) -> AsyncIterator[asyncpg.Connection]:
    async with read_driver(request.app) as driver:
        yield driver


# scope="function": the transaction commits before the response is sent, so a failed commit is a 500,
# never a 200 for a change that was lost.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
# For endpoints that only read: statements run in autocommit on read-only connections (a write fails with
# PostgreSQL's "cannot execute ... in a read-only transaction"). Under READ COMMITTED every statement already
# had its own snapshot, so reads see what they saw inside an explicit transaction.
ReadSessionDep = Annotated[AsyncSession, Depends(_request_read_session, scope="function")]
# A hot read sent straight to asyncpg (issue 20, billing's "my invoices"): a pooled connection of the read engine (so
# read-only, replaced when closed), with no ORM session and no SQLAlchemy execution, which cost ~0.25 ms of CPU per
# statement here. Run statements compiled once (`compiled_sql`); anything else takes ReadSessionDep.
ReadDriverDep = Annotated[asyncpg.Connection, Depends(_request_read_driver, scope="function")]


def compiled_sql(statement: ClauseElement) -> str:
    """A Core statement compiled once for asyncpg (`$1`, `$2`... in the order of its parameters)."""
    return str(statement.compile(dialect=_ASYNCPG))


def asyncpg_dsn(url: str) -> str:
    """The plain libpq/asyncpg form of a SQLAlchemy URL (`postgresql+asyncpg://` → `postgresql://`)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)

"""The relay's statements on the outbox, sent straight to asyncpg (issue 20 item 2): a pass is BEGIN, the claim, the
marks and COMMIT on a pooled connection of the relay's engine, with no SQLAlchemy execution per statement and no
greenlet switch but the pool's checkout and checkin. At the rates where a pass takes a few rows (each commit wakes
the relay), the pass's transaction through `AsyncConnection` was most of the relay's own CPU an event.

The statements are SQLAlchemy Core, compiled once for asyncpg (`Compiled.args` gives their positional arguments).
Behind a transaction-pooling PgBouncer (`make_engine(transaction_pooling=True)`), the engine's connections prepare
no statement that outlives the transaction, and everything here runs inside one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import BigInteger, SmallInteger, Text, any_, bindparam, cast, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import greenlet_spawn

from abono.db import new_metadata
from abono.events.base import Lane
from abono.messaging.tables import messaging_tables, urgent_unpublished

_outbox, _ = messaging_tables(new_metadata())
_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


class Compiled:
    """A Core statement compiled once: its SQL text and, by `args(**values)`, its positional arguments (values given
    by name; the statement's own literals otherwise)."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self._names = tuple(getattr(compiled, "positiontup", None) or ())  # the SQL compiler's, for `$n` styles
        self._defaults = dict(compiled.params)

    def args(self, **values: Any) -> list[Any]:
        return [values[name] if name in values else self._defaults[name] for name in self._names]


CLAIM = Compiled(
    select(
        _outbox.c.id,
        _outbox.c.event_id,
        _outbox.c.routing_key,
        # As the text PostgreSQL stores it: that is the message body (decoding the jsonb to dump it again was
        # a quarter of the relay's own CPU).
        cast(_outbox.c.payload, Text).label("body"),
        _outbox.c.created_at,
        _outbox.c.lane,
        # The database's clock, so lag and latency are measured against the clock that stamped created_at.
        func.clock_timestamp().label("db_now"),
    )
    # The lane as `= ANY(array)` and the order as (lane, id): only the pending index (`PENDING_INDEX`, lane and id
    # where unpublished) gives that order, so the claim reads the first pending rows there and stops at the batch's
    # size, whatever the statistics say (with `lane = $1`, the primary key gives "ORDER BY id" too; see `_PLAN`).
    .where(_outbox.c.published_at.is_(None), _outbox.c.lane == any_(bindparam("lanes", type_=ARRAY(SmallInteger()))))
    .order_by(_outbox.c.lane, _outbox.c.id)
    .limit(bindparam("batch"))
    .with_for_update(skip_locked=True)
)
# Is an urgent row unpublished (pending, or claimed and not yet marked)? Not locked: claimed rows are seen too.
_URGENT_PENDING = Compiled(select(urgent_unpublished(_outbox)))
# `= ANY(array)`: one prepared statement whatever the batch's size (an expanding IN is one per size).
_IDS = bindparam("ids", type_=ARRAY(BigInteger()))
_MARK_FAILED = Compiled(
    update(_outbox)
    .where(_outbox.c.id == any_(_IDS))
    .values(attempts=_outbox.c.attempts + 1, last_error=bindparam("error"))
)


class Pass:
    """A relay pass's transaction on `driver`: ended by `mark_published_and_commit` or, at the block's end, COMMIT."""

    def __init__(self, driver: asyncpg.Connection) -> None:
        self.driver = driver
        self.ended = False

    async def mark_published_and_commit(self, ids: Sequence[int]) -> None:
        """Mark `ids` published and commit, in one message to PostgreSQL (the simple query protocol carries both
        statements; the ids, integers read from the outbox, are the only text put in): one round trip a pass fewer.

        The commit does not wait for the WAL flush (`synchronous_commit` off for this transaction only): a mark a
        database crash loses leaves its row pending, and the row is published again, a duplicate the consumers'
        inbox drops, as after a relay crash between the confirm and the commit. Waiting for the flush made each
        pass one more fsync on the disk the producers' and consumers' commits wait on (issue 20 item 2)."""
        literal = ",".join(str(int(each)) for each in ids)
        await self.driver.execute(_MARK_PUBLISHED_COMMIT.replace("{}", "{" + literal + "}"))
        self.ended = True


# The marks (`= ANY(array)`), as text for the simple query protocol, with the transaction's COMMIT, not waiting for
# the WAL flush (see `mark_published_and_commit`).
_MARK_PUBLISHED_COMMIT = (
    "SET LOCAL synchronous_commit = off; "
    "UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY('{}'::bigint[]); COMMIT"
)


# A pass's transaction, with the plan of its claim fixed (one message, as BEGIN alone was): the claim must read the
# pending index in order and stop at the batch's size. With the statistics of an outbox that a renewal run is filling
# (autoanalyze during the run: most rows pending, or few) PostgreSQL chose instead to walk the primary key through the
# rows published since (a filter removing tens of thousands), or to read every pending row by a bitmap and sort them
# for 500: 0.1-0.7 s of the database's CPU a claim, quadratic in the backlog (bench `renewal_day`, issue 20). Without
# sorts and bitmaps (scoped to the transaction, so safe behind a transaction-pooling PgBouncer), the ordered index scan
# is the one plan left; the marks' `id = ANY(...)` still go through the primary key.
_PLAN = "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off"
_BEGIN = f"BEGIN; {_PLAN}"


@asynccontextmanager
async def pass_transaction(engine: AsyncEngine) -> AsyncIterator[Pass]:
    """A transaction on a pooled connection of `engine` (the pool's checkout, so a closed connection is replaced as
    for any other use): committed when the block ends (unless the pass committed it), rolled back if it raises. A
    connection still in a transaction afterwards (its ROLLBACK failed) is discarded, never returned to the pool."""
    pooled = await greenlet_spawn(engine.sync_engine.raw_connection)
    try:
        driver: asyncpg.Connection = pooled.driver_connection
        await driver.execute(_BEGIN)
        tx = Pass(driver)
        try:
            yield tx
        except BaseException:
            if not tx.ended:
                await driver.execute("ROLLBACK")
            raise
        if not tx.ended:
            await driver.execute("COMMIT")
    finally:
        if pooled.driver_connection is not None and pooled.driver_connection.is_in_transaction():
            pooled.invalidate()
        # No transaction was begun through SQLAlchemy: the pool's reset at checkin sends nothing.
        await greenlet_spawn(pooled.close)


async def claim(driver: asyncpg.Connection, lane: Lane, size: int) -> list[asyncpg.Record]:
    """Up to `size` pending rows of `lane` in id order, locked (`SKIP LOCKED`: rows other relays hold are skipped)."""
    return list(await driver.fetch(CLAIM.sql, *_claim_args(lane, size)))


async def explain_claim(driver: asyncpg.Connection, lane: Lane, size: int) -> list[str]:
    """The plan PostgreSQL would run `claim` with, on `driver` (in a pass's transaction: `pass_transaction`)."""
    return [row[0] for row in await driver.fetch(f"EXPLAIN {CLAIM.sql}", *_claim_args(lane, size))]


def _claim_args(lane: Lane, size: int) -> list[Any]:
    return CLAIM.args(lanes=[int(lane)], batch=size)


async def urgent_pending(driver: asyncpg.Connection) -> bool:
    return bool(await driver.fetchval(_URGENT_PENDING.sql, *_URGENT_PENDING.args()))


async def mark_failed(driver: asyncpg.Connection, ids: Sequence[int], error: str) -> None:
    await driver.execute(_MARK_FAILED.sql, *_MARK_FAILED.args(ids=list(ids), error=error))

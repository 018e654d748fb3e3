"""The relay's claim reads the pending index in id order and stops at the batch's size, whatever the outbox's
statistics say (issue 20, bench `renewal_day`): a renewal run fills the outbox faster than autoanalyze follows, and
with stale statistics PostgreSQL chose to read every pending row by a bitmap and sort them for 500 (or to walk the
primary key through every row published since): a claim's cost grew with the backlog. No timing: the tests read the
plan PostgreSQL chose for the claim, in a relay pass's transaction, as the relay runs it."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from abono.events import Lane
from abono.messaging import relay_sql
from abono.messaging.tables import PENDING_INDEX

from .support import Bus

BACKLOG = 3000


async def _emit(bus: Bus, lane: Lane, count: int) -> None:
    ping = bus.ping(lane)
    for start in range(0, count, 1000):
        await bus.emit(*(ping(label=f"{lane.name} {i}") for i in range(start, min(count, start + 1000))))


async def _sql(engine: AsyncEngine, *statements: str) -> None:
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")  # ANALYZE outside a transaction block
        for statement in statements:
            await conn.execute(text(statement))


async def _claim_plan(engine: AsyncEngine, lane: Lane) -> str:
    async with relay_sql.pass_transaction(engine) as tx:
        return "\n".join(await relay_sql.explain_claim(tx.driver, lane, 500))


def _reads_the_pending_index_in_order(plan: str) -> bool:
    return f"Index Scan using {PENDING_INDEX}" in plan and "Sort" not in plan and "Bitmap" not in plan


async def test_claim_reads_the_pending_index_when_statistics_say_almost_nothing_is_pending(bus: Bus) -> None:
    # The statistics of a quiet outbox (every lane's events, nearly all published), then a renewal run's backlog.
    for _ in range(100):
        await _emit(bus, Lane.URGENT, 1)
        await _emit(bus, Lane.STANDARD, 1)
        await _emit(bus, Lane.BULK, 1)
    await _sql(bus.engine, "UPDATE outbox SET published_at = now() WHERE id > 5", "ANALYZE outbox")
    await _emit(bus, Lane.BULK, BACKLOG)

    plan = await _claim_plan(bus.engine, Lane.BULK)

    assert _reads_the_pending_index_in_order(plan), plan


async def test_claim_reads_the_pending_index_when_statistics_say_everything_is_pending(bus: Bus) -> None:
    # Analyzed while the backlog was all pending, then mostly published: the primary key's id order with a filter
    # would walk every published row before the first pending one.
    await _emit(bus, Lane.BULK, BACKLOG)
    await _sql(bus.engine, "ANALYZE outbox",
               f"UPDATE outbox SET published_at = now() WHERE id <= {BACKLOG - 500}")  # fmt: skip

    plan = await _claim_plan(bus.engine, Lane.BULK)

    assert _reads_the_pending_index_in_order(plan), plan


async def test_urgent_claim_reads_the_pending_index_beside_a_bulk_backlog(bus: Bus) -> None:
    await _emit(bus, Lane.BULK, BACKLOG)
    await _emit(bus, Lane.URGENT, 10)
    await _sql(bus.engine, "ANALYZE outbox")

    plan = await _claim_plan(bus.engine, Lane.URGENT)

    assert _reads_the_pending_index_in_order(plan), plan

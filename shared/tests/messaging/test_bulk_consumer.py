"""A consumer's `.bulk` queue set to one transaction at a time (`CONSUMER_BULK_MAX_TRANSACTIONS=1`, provisioning's
default) applies its backlog in transactions of the whole prefetch (issue 20: a renewal run's million `InvoiceIssued`
in few large transactions, not many small ones that each pay their statements and round trips). No timing: the test
counts the transactions in the inbox (its rows' `processed_at` is their transaction's start), and its handler, like
a real one that takes its time, lets the broker hand over the next prefetch while a transaction is applied (the
window's other half: with a window of one prefetch it never comes, and the test fails)."""

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import Lane
from abono.messaging.consumer import Consumer, queue_name
from abono.testing import wait_for

from .support import Bus, Ping, depth_reached, holds, inbox, recording_consumer

BACKLOG, PREFETCH = 1000, 100


async def _transactions(bus: Bus) -> int:
    async with bus.engine.connect() as conn:
        return int((await conn.execute(select(func.count(func.distinct(inbox.c.processed_at))))).scalar_one())


def paced(bus: Bus, calls: Counter[str], bulk: type[Ping]) -> Consumer:
    """`bus.consumer("orders", calls, also=(bulk,))` (same bindings), whose handler waits until the broker has
    delivered the next prefetch beyond the event it is given: a trivial handler on a loaded machine otherwise commits
    before the broker's next deliveries arrive, and the transaction after it starts short."""
    recording = recording_consumer(bus.Ping, "orders", calls, also=(bulk,))
    queue = queue_name(bus.service, "orders", Lane.BULK)
    delivered = 0  # of the backlog, as last seen: it only grows

    async def handed_over(target: int) -> bool:
        nonlocal delivered
        if delivered < target:
            delivered = BACKLOG - await bus.queue_depth(queue)
        return delivered >= target

    async def on_ping(session: AsyncSession, event: Ping) -> None:
        # Up to the event before this one, `sum(calls)` are applied; within the window (two prefetches from the last
        # commit) the broker can deliver up to this one's prefetch more, plus one.
        target = min(BACKLOG, sum(calls.values()) + PREFETCH + 1)
        await wait_for(lambda: handed_over(target), what=f"the broker to deliver {target} of the backlog")
        handler = recording.handler(event.routing_key)
        assert handler is not None
        await handler(session, event)

    consumer = Consumer("orders")
    for each in (bus.Ping, bulk):
        consumer.on(each)(on_ping)
    return consumer


async def test_bulk_backlog_one_transaction_at_a_time_is_applied_in_transactions_of_a_whole_prefetch(
    bus: Bus,
) -> None:
    bulk = bus.ping(Lane.BULK)
    calls: Counter[str] = Counter()
    broker = await bus.broker()
    declaring = await bus.runner([bus.consumer("orders", calls, also=(bulk,))], broker)
    await declaring.stop()  # the queues stay: the backlog waits in the bulk queue
    await bus.emit(*(bulk(label=f"bulk {i}") for i in range(BACKLOG)))
    assert await bus.relay(broker, lanes=(Lane.BULK,), batch_size=500).publish_pending() == BACKLOG
    await wait_for(depth_reached(bus, queue_name(bus.service, "orders", Lane.BULK), BACKLOG), what="the backlog")

    await bus.runner([paced(bus, calls, bulk)], broker, bulk_prefetch=PREFETCH, bulk_transactions=1)
    await wait_for(holds(lambda: sum(calls.values()) == BACKLOG), what="the backlog applied")

    assert calls == Counter({f"bulk {i}": 1 for i in range(BACKLOG)})
    # The first delivery starts a transaction with what has arrived; every later one takes a full prefetch.
    assert await _transactions(bus) <= BACKLOG // PREFETCH + 2, await _transactions(bus)

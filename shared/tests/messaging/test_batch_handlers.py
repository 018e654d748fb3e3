"""Batch handlers (`Consumer.on_batch`, issue 20): deliveries applied together reach the handler in one call, in
delivery order and interleaved with per-event handlers as delivered; a failing batch is done again event by event in
savepoints, so the bad event alone is retried and dead-lettered and the others commit once."""

import json
import os
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events.base import Lane
from abono.messaging.consumer import Consumer
from abono.testing import wait_for

from .support import POISON, Bus, Ping, depth_reached, effects, holds, poisoned_backlog


def batch_consumer(
    bus: Bus, name: str, sizes: list[int], order: list[str], *, also: type[Ping] | None = None
) -> Consumer:
    """`bus.Ping` through a batch handler (one INSERT for the batch; fails if the batch holds `POISON`), and `also`
    through a per-event handler; `order` gets the labels as the handlers see them, `sizes` each batch's size."""
    consumer = Consumer(name)

    @consumer.on_batch(bus.Ping)
    async def pings(session: AsyncSession, events: Sequence[Ping]) -> None:
        sizes.append(len(events))
        order.extend(event.label for event in events)
        rows = [{"consumer": name, "event_id": e.event_id, "label": e.label, "worker_pid": os.getpid()}
                for e in events]
        await session.execute(insert(effects), rows)
        if any(event.label == POISON for event in events):
            raise RuntimeError("this batch holds an event that always fails")

    if also is not None:

        @consumer.on(also)
        async def other(session: AsyncSession, event: Ping) -> None:
            order.append(event.label)
            await session.execute(insert(effects).values(consumer=name, event_id=event.event_id, label=event.label,
                                                         worker_pid=os.getpid()))

    return consumer


async def test_failing_batch_falls_back_to_each_event_alone_and_dead_letters_only_the_bad_one(bus: Bus) -> None:
    labels = await poisoned_backlog(bus)

    sizes: list[int] = []
    await bus.runner([batch_consumer(bus, "orders", sizes, [])], await bus.broker(), delivery_limit=1, prefetch=50)
    await wait_for(depth_reached(bus, f"{bus.service}.orders.dlq", 1), what="the poison message dead-lettered")
    await wait_for(holds(lambda: bus.consumed("orders", "processed") == len(labels) - 1), what="the others applied")

    assert max(sizes) > 1  # the handler had several events in one call
    assert sorted(await bus.effect_labels()) == sorted(label for label in labels if label != POISON)  # each once
    async with bus.engine.connect() as conn:
        inbox = (await conn.execute(text("SELECT count(*) FROM inbox WHERE consumer = :queue"),
                                    {"queue": f"{bus.service}.orders"})).scalar_one()
    assert inbox == len(labels) - 1  # no inbox row for the poison message
    assert bus.consumed("orders", "dead_lettered") == 1
    assert await bus.queue_depth(f"{bus.service}.orders") == 0


async def test_batches_keep_the_delivery_order_among_per_event_handlers(bus: Bus) -> None:
    other = bus.ping(Lane.URGENT)  # another type, in the same queue as `bus.Ping`
    consumer = Consumer("orders")
    consumer.on(bus.Ping)(_noop)
    consumer.on(other)(_noop)
    first = await bus.runner([consumer], await bus.broker())
    await first.stop()
    emitted: list[Ping] = []
    for i in range(40):
        emitted.append((other if i % 7 == 3 else bus.Ping)(label=f"e{i}"))
    tap = await bus.tap(bus.Ping, other)  # the order the broker routed them in (the relay publishes by lane)
    relay = bus.relay(await bus.broker())
    for start in range(0, len(emitted), 5):  # a relay pass each: the types interleave on the queue
        await bus.emit(*emitted[start : start + 5])
        await relay.publish_pending()
    await wait_for(depth_reached(bus, f"{bus.service}.orders", len(emitted)), what="the events in the queue")
    await tap.wait(len(emitted))
    delivered = [json.loads(message.body)["label"] for message in tap.messages]

    sizes: list[int] = []
    order: list[str] = []
    # One transaction at a time: the order the handlers see is then the delivery order.
    await bus.runner([batch_consumer(bus, "orders", sizes, order, also=other)], await bus.broker(), prefetch=50,
                     max_transactions=1)
    await wait_for(holds(lambda: len(order) == len(emitted)), what="every event applied")

    assert order == delivered
    assert max(sizes) > 1
    assert Counter(await bus.effect_labels()) == Counter(event.label for event in emitted)


async def _noop(session: AsyncSession, event: Ping) -> None:
    return None



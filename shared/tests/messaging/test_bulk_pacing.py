"""Issue 20: the bulk lane gives way on the broker. While an urgent outbox row is unpublished (in this process or
another: the check reads the outbox), the bulk loop claims `bulk_paced_batch_size` rows, one batch in flight, so an
urgent publish's confirm never waits behind a thousand bulk messages; still each bulk event once, in id order. No
timing: the tests count the bulk publishes waiting for their confirm at once."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update

from abono.events import Lane
from abono.messaging import Broker
from abono.testing import wait_for

from .support import Bus, Tap, holds, outbox

BULK_ROWS = 2000
PACED = 50


class InFlight:
    """Wraps a broker's `publish_batch`: the bulk publishes waiting for their confirm now, and the most
    at once."""

    def __init__(self, broker: Broker, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = self.most = 0
        publish_batch: Callable[..., Awaitable[list[asyncio.Future[Any]]]] = broker.publish_batch

        async def counted_batch(*args: Any, bulk: bool = False, **kwargs: Any) -> list[asyncio.Future[Any]]:
            confirmations = await publish_batch(*args, bulk=bulk, **kwargs)
            if bulk:
                self.now += len(confirmations)
                self.most = max(self.most, self.now)
                for confirmation in confirmations:
                    confirmation.add_done_callback(self._confirmed)
            return confirmations

        monkeypatch.setattr(broker, "publish_batch", counted_batch)

    def _confirmed(self, _: object) -> None:
        self.now -= 1


async def _emit_bulk(bus: Bus, first: int, count: int) -> None:
    bulk = bus.ping(Lane.BULK)
    for start in range(first, first + count, 1000):
        await bus.emit(*(bulk(label=f"bulk {i}") for i in range(start, min(first + count, start + 1000))))


def _bulk_labels(tap: Tap) -> list[str]:
    return [label for m in tap.messages if (label := json.loads(m.body)["label"]).startswith("bulk")]


async def test_bulk_relay_publishes_small_batches_one_at_a_time_while_an_urgent_row_is_unpublished(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk, urgent = bus.ping(Lane.BULK), bus.ping(Lane.URGENT)
    tap = await bus.tap(bulk)
    broker = await bus.broker()
    in_flight = InFlight(broker, monkeypatch)
    # The bulk worker process's relay; the app's urgent relay (another process) has not published the urgent row.
    bulk_relay = bus.relay(broker, lanes=(Lane.BULK,), batch_size=500, bulk_paced_batch_size=PACED)
    await _emit_bulk(bus, 0, BULK_ROWS)
    await bus.emit(urgent(label="urgent"))

    assert await bulk_relay.publish_pending() == BULK_ROWS

    assert 0 < in_flight.most <= PACED, in_flight.most
    paced = bus.metrics.registry.get_sample_value(f"{bus.metrics.prefix}_outbox_bulk_paced_batches_total")
    assert paced is not None and paced >= BULK_ROWS // PACED

    # The urgent row published (and marked): full batches again, two in flight.
    assert await bus.relay(broker, lanes=(Lane.URGENT,)).publish_pending() == 1
    await _emit_bulk(bus, BULK_ROWS, BULK_ROWS)
    in_flight.most = 0
    assert await bulk_relay.publish_pending() == BULK_ROWS
    assert in_flight.most > PACED, in_flight.most

    await tap.wait(2 * BULK_ROWS)
    assert _bulk_labels(tap) == [f"bulk {i}" for i in range(2 * BULK_ROWS)]  # each once, in id order


async def test_bulk_lane_paced_and_unpaced_by_turns_across_two_replicas_publishes_each_event_once(bus: Bus) -> None:
    """Urgent rows come and go while two replicas' relays drain the bulk backlog: each relay switches between paced
    and full batches; `SKIP LOCKED` still gives every bulk row to one of them."""
    bulk, urgent = bus.ping(Lane.BULK), bus.ping(Lane.URGENT)
    tap = await bus.tap(bulk)
    rows = 3 * BULK_ROWS
    await _emit_bulk(bus, 0, rows)
    replicas = [
        bus.relay(await bus.broker(), lanes=(Lane.BULK,), batch_size=300, bulk_paced_batch_size=PACED)
        for _ in range(2)
    ]
    # The first urgent row waits before the replicas start (they begin paced, whatever the machine's speed); each
    # later one is emitted while they drain.
    await bus.emit(urgent(label="urgent 0"))
    for replica in replicas:
        await replica.start()

    for n in range(1, 6):
        seen = len(tap.messages)
        await wait_for(holds(lambda seen=seen: len(tap.messages) > seen + PACED or len(tap.messages) >= rows),
                       what="bulk events published while the urgent one waits")  # fmt: skip
        async with bus.engine.begin() as conn:  # published meanwhile by the app's relay, say
            await conn.execute(
                update(outbox).where(outbox.c.lane == int(Lane.URGENT)).values(published_at=outbox.c.created_at)
            )
        if n < 5:
            await bus.emit(urgent(label=f"urgent {n}"))  # unpublished for a while: the replicas pace again
    await tap.wait(rows, within=60)

    labels = _bulk_labels(tap)
    assert sorted(labels) == sorted(f"bulk {i}" for i in range(rows))  # each once
    assert await bus.pending_event_ids() == []
    paced = bus.metrics.registry.get_sample_value(f"{bus.metrics.prefix}_outbox_bulk_paced_batches_total")
    assert paced, "the backlog drained before the first urgent row: nothing was proven"

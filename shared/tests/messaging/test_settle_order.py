"""A queue worker's acks and nacks against a channel that behaves as RabbitMQ's and aiormq's do (no broker needed):
a `multiple` ack settles every outstanding delivery up to its tag, a frame naming a tag that is no longer outstanding
is refused ("unknown delivery tag": RabbitMQ closes the channel), and queuing a frame waits while aiormq's bounded
write queue is full (as it is while the relay publishes on the same connection), so another transaction may send its
frames meanwhile. Issue 20: a `multiple` ack sent in that window used to cover a delivery whose own ack, or nack for
a retry, was still waiting to be queued (bench renewal_day: the bulk worker's channel closed several times a
minute); a covered nack would have acked an event that was never applied (an `InvoicePaid` lost: B-19's payment
applied exactly once, P-2's reactivation)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from types import SimpleNamespace
from typing import Any, cast

from abono.messaging.handlers import Consumer
from abono.messaging.worker import QueueWorker
from abono.metrics import ServiceMetrics


class BrokerChannel:
    """One channel's outstanding deliveries on the broker, fed through a write queue of one frame, full at first
    (a publish of the relay's is in it)."""

    def __init__(self, tags: set[int]) -> None:
        self.outstanding = set(tags)
        self.acked: set[int] = set()
        self.requeued: set[int] = set()
        self.refused: list[tuple[str, int]] = []
        self._frames: asyncio.Queue[tuple[str, int, bool]] = asyncio.Queue(maxsize=1)
        self._frames.put_nowait(("publish", 0, False))

    async def run(self, *settling: Coroutine[Any, Any, None]) -> None:
        """Run `settling` until each has queued its frames (each first waits for room), then let the broker read."""
        tasks = [asyncio.create_task(each) for each in settling]
        writer = asyncio.create_task(self._write())  # scheduled after them: each is waiting to queue its first frame
        await asyncio.gather(*tasks)
        await self._frames.join()  # every frame queued has been read by the broker
        writer.cancel()

    async def _write(self) -> None:
        while True:
            kind, tag, multiple = await self._frames.get()
            if kind == "publish":
                pass
            elif tag not in self.outstanding:
                self.refused.append((kind, tag))
            elif kind == "ack":
                settled = {t for t in self.outstanding if t <= tag} if multiple else {tag}
                self.outstanding -= settled
                self.acked |= settled
            else:
                self.outstanding.discard(tag)
                self.requeued.add(tag)
            await asyncio.sleep(0)  # the socket write: the event loop runs others before the next frame
            self._frames.task_done()

    async def basic_ack(self, tag: int, multiple: bool = False, wait: bool = True) -> None:
        await self._frames.put(("ack", tag, multiple))

    async def basic_nack(self, tag: int, multiple: bool = False, requeue: bool = True, wait: bool = True) -> None:
        await self._frames.put(("nack", tag, False))


def worker() -> QueueWorker:
    unused = cast(Any, None)  # the settling code touches neither the database nor the broker object
    return QueueWorker(
        queue="test.orders", inbox="orders", consumer=Consumer("orders"), bind=(), unbind=(), sessionmaker=unused,
        broker=unused, metrics=ServiceMetrics("settle_test"), delivery_limit=5, prefetch=10, max_transactions=3,
        retry_delay=0.01, max_retry_delay=0.01, stop_timeout=1.0,
    )  # fmt: skip


def delivered(channel: BrokerChannel, tag: int) -> Any:
    return SimpleNamespace(channel=channel, delivery_tag=tag, routing_key="test.ordered")


async def test_a_multiple_ack_never_covers_a_delivery_whose_ack_waits_to_be_queued() -> None:
    for lower_first in (True, False):
        channel = BrokerChannel({3, 4, 5, 6, 7})
        queue = worker()
        queue._unsettled[cast(Any, channel)] = {3, 4, 5, 6, 7}
        # Three transactions end at once: 4-5 (acked one by one while 3 is unsettled), 3, and 6-7, which used to
        # ack up to 7 before 5's own ack was queued.
        first, second = [delivered(channel, 4), delivered(channel, 5)], [delivered(channel, 3)]
        if not lower_first:
            first, second = second, first
        await channel.run(queue._ack(first), queue._ack(second), queue._ack([delivered(channel, 6),
                                                                           delivered(channel, 7)]))
        assert channel.refused == []
        assert channel.acked == {3, 4, 5, 6, 7} and channel.outstanding == set()
        assert queue._unsettled[cast(Any, channel)] == set()


async def test_a_delivery_nacked_for_its_retry_beside_a_transaction_is_requeued_not_acked() -> None:
    channel = BrokerChannel({3, 4, 5})
    queue = worker()
    queue._unsettled[cast(Any, channel)] = {3, 4, 5}
    # 3 failed and goes back to the queue for its retry while the transaction of 4-5 commits.
    await channel.run(queue._settle(delivered(channel, 3), "nack"),
                      queue._ack([delivered(channel, 4), delivered(channel, 5)]))
    assert channel.refused == []
    assert channel.requeued == {3} and channel.acked == {4, 5}
    assert queue._unsettled[cast(Any, channel)] == set()

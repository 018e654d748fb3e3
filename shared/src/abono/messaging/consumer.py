"""Consumers: handlers of events, each set behind its own durable quorum queue `<service>.<consumer>`.

Each delivery is applied once: its `event_id` goes into the inbox in the same transaction as the handler's
effects, and the message is acked only after that commit. Deliveries that arrive while a transaction is running
are applied together in the next one, so under load one commit (one WAL flush) serves many events, and an idle
consumer applies a lone delivery at once. If a handler fails there, the transaction is done again with each handler
in its own savepoint: the failing one is rolled back alone and retried through the queue. Handlers only touch the
database (their session), so running one again after a rollback changes nothing. A batch handler
(`Consumer.on_batch`, issue 20) gets each run of consecutive deliveries of its type in such a transaction in one
call, for set-based statements; the fall-back calls it with one event per savepoint.

Lanes on the broker (issue 20): a consumer's events of the bulk lane (`abono.events.Lane.BULK`) come through a queue
of their own, `<queue>.bulk`, consumed side by side with `<queue>` (every other lane), so an urgent event is never
behind a million bulk ones in one queue; and in the process, the bulk queue's worker starts a transaction only while
the main queue's has nothing waiting, so a busy process spends its CPU and connections on the urgent event first.
Both record in the same inbox name, `<queue>`, so an event that reached both (a binding left from before a lane
change) is still applied once. With `bulk_lane="separate"` the app declares and binds its bulk queues but leaves them
to the bulk worker process (`abono.bulk_worker`, `bulk_lane="only"`), which runs at a lower CPU priority: the
operating system, not only the event loop, then puts the urgent queue first.

A redelivery (crash before the ack, a duplicate publish) finds the inbox row and is acked without running the
handler. A handler that keeps failing is nacked back to its queue until RabbitMQ's delivery limit moves it to
`<queue>.dlq`; a message that cannot be parsed goes there at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.events.base import Lane
from abono.messaging.broker import Broker
from abono.messaging.handlers import Consumer, Handler, dead_letter_queue_name, queue_arguments, queue_name
from abono.messaging.worker import QueueWorker
from abono.metrics import ServiceMetrics

__all__ = [
    "Consumer",
    "ConsumerRunner",
    "Handler",
    "dead_letter_queue_name",
    "queue_arguments",
    "queue_name",
]


class ConsumerRunner:
    """Runs every consumer of a service on the shared broker connection, each on its own channel."""

    def __init__(
        self,
        *,
        service: str,
        consumers: Sequence[Consumer],
        sessionmaker: async_sessionmaker[AsyncSession],
        broker: Broker,
        metrics: ServiceMetrics,
        delivery_limit: int = 5,
        prefetch: int = 200,
        bulk_prefetch: int | None = None,  # the `.bulk` queues' (default: `prefetch`), also their largest transaction
        max_transactions: int = 4,
        bulk_transactions: int | None = None,  # the `.bulk` queues' (default: `max_transactions`)
        spread: int | None = None,  # main queues: deliveries waiting before a further transaction starts
        retry_delay: float = 0.5,
        max_retry_delay: float = 30.0,
        stop_timeout: float = 10.0,
        bulk_lane: Literal["in_process", "separate", "only"] = "in_process",
    ) -> None:
        names = [queue_name(service, c.name) for c in consumers]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate consumer names in {names}")
        self.service = service

        def worker(
            queue: str,
            consumer: Consumer,
            bind: Sequence[str],
            unbind: Sequence[str],
            after: QueueWorker | None,
            consume: bool = True,
            batch: int = prefetch,
            transactions: int = max_transactions,
            window: int | None = None,
            waiting: int | None = spread,
        ) -> QueueWorker:
            return QueueWorker(
                queue=queue, inbox=queue_name(service, consumer.name), consumer=consumer, bind=bind, unbind=unbind,
                sessionmaker=sessionmaker, broker=broker, metrics=metrics, delivery_limit=delivery_limit,
                prefetch=batch, max_transactions=transactions, retry_delay=retry_delay,
                max_retry_delay=max_retry_delay, stop_timeout=stop_timeout,
                yield_to=after.quiet if after is not None else None, consume=consume, window=window, spread=waiting,
            )  # fmt: skip

        bulk_batch, bulk_at_once = bulk_prefetch or prefetch, bulk_transactions or max_transactions
        # A `.bulk` queue taking one transaction at a time gets the next batch from the broker meanwhile: each
        # transaction starts full, not with the first delivery sent after the previous one's acks (issue 20).
        bulk_window = 2 * bulk_batch if bulk_at_once == 1 else bulk_batch

        def bulk_worker(
            queue: str, consumer: Consumer, bind: Sequence[str], unbind: Sequence[str], after: QueueWorker | None,
            consume: bool = True,
        ) -> QueueWorker:
            return worker(queue, consumer, bind, unbind, after, consume, bulk_batch, bulk_at_once, bulk_window, None)

        self._workers: list[QueueWorker] = []
        for name, c in zip(names, consumers, strict=True):
            main, bulk = c.routing_keys_of(bulk=False), c.routing_keys_of(bulk=True)
            bulk_queue = queue_name(service, c.name, Lane.BULK)
            if bulk_lane == "only":  # the bulk worker process (abono.bulk_worker): its bulk queues alone
                if bulk:
                    self._workers.append(bulk_worker(bulk_queue, c, bulk, main, None))
                continue
            # The main queue always: it must lose the bindings of keys that moved to the bulk queue.
            first = worker(name, c, main, bulk, None)
            self._workers.append(first)
            if bulk:  # applied only while the main queue's worker has nothing to do (a pause between transactions);
                # "separate": declared and bound here (no bulk event is unroutable), consumed by the bulk process
                self._workers.append(bulk_worker(bulk_queue, c, bulk, main, first, consume=bulk_lane == "in_process"))

    @property
    def queues(self) -> list[str]:
        return [w.queue for w in self._workers]

    @property
    def is_consuming(self) -> bool:
        return all(w.consuming.is_set() for w in self._workers)

    async def wait_consuming(self) -> None:
        """Until every consumer's queue is declared, bound and consumed from."""
        for worker in self._workers:
            await worker.consuming.wait()

    async def start(self) -> None:
        for worker in self._workers:
            worker.start()

    async def stop(self) -> None:
        """Stop taking deliveries, let those in hand finish (up to `stop_timeout`), close the channels."""
        await asyncio.gather(*(w.stop() for w in self._workers))

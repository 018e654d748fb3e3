"""When a queue worker starts a further transaction beside the running one (no broker or database needed: the
transactions are stand-ins that wait to be released). By default a trickle shares few transactions: deliveries that
arrive while one runs wait for the next, until a share of the prefetch waits. With `spread=1` (issue 20,
provisioning's urgent queue: latency over batching) each starts its own while fewer than `max_transactions` run, so
a payment's `InvoicePaid` does not wait for the transaction before it to commit."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

from abono.messaging.handlers import Consumer
from abono.messaging.worker import QueueWorker
from abono.metrics import ServiceMetrics
from abono.testing import wait_for


class HeldTransactions:
    """Stands in for `QueueWorker._apply_batch`: each transaction records its deliveries and waits for `release`."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.running = 0
        self.release = asyncio.Event()

    async def __call__(self, batch: list[Any]) -> None:
        self.batches.append([message.delivery_tag for message in batch])
        self.running += 1
        try:
            await self.release.wait()
        finally:
            self.running -= 1


def worker(**options: Any) -> tuple[QueueWorker, HeldTransactions]:
    unused = cast(Any, None)
    queue = QueueWorker(
        queue="test.payments", inbox="payments", consumer=Consumer("payments"), bind=(), unbind=(),
        sessionmaker=unused, broker=unused, metrics=ServiceMetrics("spread_test"), delivery_limit=5, prefetch=200,
        max_transactions=3, retry_delay=0.01, max_retry_delay=0.01, stop_timeout=1.0, **options,
    )  # fmt: skip
    held = HeldTransactions()
    queue._apply_batch = held  # type: ignore[method-assign]
    return queue, held


async def deliver(queue: QueueWorker, *tags: int) -> None:
    for tag in tags:
        await queue._on_delivery(cast(Any, SimpleNamespace(channel=None, delivery_tag=tag, routing_key="test.paid")))


async def test_by_default_deliveries_arriving_during_a_transaction_wait_for_the_next_one() -> None:
    queue, held = worker()
    await deliver(queue, 1)
    await wait_for(lambda: held.running == 1, what="the first transaction")
    await deliver(queue, 2, 3)
    # The worker decides at each delivery, synchronously, whether it starts a transaction: none was started for them.
    assert queue._applying == 1 and held.running == 1
    held.release.set()
    await wait_for(lambda: queue.quiet.is_set(), what="every delivery applied")
    assert held.batches == [[1], [2, 3]]


async def test_with_spread_1_each_delivery_starts_its_own_transaction_up_to_the_limit() -> None:
    queue, held = worker(spread=1)
    await deliver(queue, 1)
    await wait_for(lambda: held.running == 1, what="the first transaction")
    for tag in (2, 3):  # each delivered while the transactions before it still run
        await deliver(queue, tag)
        await wait_for(lambda n=tag: held.running == n, what=f"a transaction for delivery {tag}")
    await deliver(queue, 4, 5)
    # 4 and 5 wait: three transactions run (max_transactions); the decision is made at delivery, synchronously.
    assert queue._applying == 3 and held.batches == [[1], [2], [3]]
    held.release.set()
    await wait_for(lambda: queue.quiet.is_set(), what="every delivery applied")
    assert sorted(tag for batch in held.batches[3:] for tag in batch) == [4, 5]

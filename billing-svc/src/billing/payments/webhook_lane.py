"""Issue 20: stored webhooks are processed in two bounded stages per process, each handing out its slots first come,
first served (`asyncio.Semaphore`), the others waiting in memory:

1. the provider's read (`BILLING_WEBHOOK_READ_CONCURRENCY` at once): what a new event means, asked before any
   transaction (`webhooks.read_ahead`: F-1's card read from Stripe, MercadoPago's payment status), holding no
   connection and no lock, so a slow provider (a real API answers in 100s of ms) delays only its own event;
2. the processing's transaction (`BILLING_WEBHOOK_CONCURRENCY` at once, below the write pool): effects, done.

Before, each webhook started a processing task of its own, its provider call inside its transaction: a burst (50/s
on the renewal day) ran them all at once on a write pool of 10 + 10, so the overflow opened and closed connections
(asyncpg's type introspection and `set_config('jit')` of each new one) and every payment waited for CPU behind every
other. A waiting webhook is never lost: it was committed before the provider got its 2xx, and one that is still
waiting (or was never processed: the process stopped) when `BILLING_WEBHOOK_RETRY_SECONDS` pass is taken by the
payments worker's sweep, oldest first, through the same stages (`jobs.process_in_turn`: after a restart its backlog
goes several at once); the done mark (only while not yet processed) lets only one of the two commit it
(`jobs.process_event`).
At a stop the lane gets `BILLING_WEBHOOK_DRAIN_SECONDS` to finish what it holds; what it could not is made due at
once (`jobs.hand_back`), so another replica's sweep, or this one's after the restart, takes it without waiting for
its retry time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI

from abono.metrics import ServiceMetrics
from billing.config import BillingSettings

log = structlog.get_logger("billing.webhooks")
EventKey = tuple[str, str]  # a stored webhook: (provider, external id)


class _Stage:
    """At most `slots` holders at once; the others wait in the order they came."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.inside = 0
        self._semaphore = asyncio.Semaphore(slots)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._semaphore:
            self.inside += 1
            try:
                yield
            finally:
                self.inside -= 1


class WebhookLane:
    """The two stages (`reading`, `processing`) and the tasks that go through them; `submit` never waits."""

    def __init__(self, concurrency: int, read_concurrency: int) -> None:
        self.reading = _Stage(read_concurrency)
        self.processing = _Stage(concurrency)
        # Reading, processing or waiting for either (tests await them), each with its stored event if it has one.
        self.tasks: dict[asyncio.Task[object], EventKey | None] = {}

    @property
    def waiting(self) -> int:
        return len(self.tasks) - self.reading.inside - self.processing.inside

    def submit(self, work: Coroutine[Any, Any, object], *, event: EventKey | None = None,
               name: str | None = None) -> asyncio.Task[object]:
        """Run `work` (which takes its turns in the stages, processing the stored `event`) as a task the lane holds
        (named `name`) until it ends. If it fails or the process stops first, the stored event waits for the sweep."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        self.tasks[task] = event
        task.add_done_callback(self._done)
        return task

    async def drain(self, grace: float) -> list[EventKey]:
        """At a stop: let the tasks in the lane finish for up to `grace` seconds, then cancel the others (a
        transaction cut short rolls back); returns the stored events of those cancelled, for the sweep to take at
        once instead of after their retry time."""
        if not self.tasks:
            return []
        _, unfinished = await asyncio.wait(set(self.tasks), timeout=grace)
        left = [event for task in unfinished if (event := self.tasks.get(task)) is not None]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        return left

    def observe(self, metrics: ServiceMetrics) -> None:
        """`abono_billing_webhooks_in_lane{stage}` on `/metrics`: how many stored webhooks wait for a turn, read from
        the provider and are in their transaction now (a backlog an operator should see before clients do)."""
        gauge = metrics.gauge("webhooks_in_lane", "Stored webhooks in this process's lane: waiting for a turn, "
                              "reading from the provider, in their transaction", ("stage",))
        gauge.labels("waiting").set_function(lambda: self.waiting)
        gauge.labels("reading").set_function(lambda: self.reading.inside)
        gauge.labels("processing").set_function(lambda: self.processing.inside)

    def _done(self, finished: asyncio.Task[object]) -> None:
        self.tasks.pop(finished, None)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("webhook_processing_crashed", error=repr(finished.exception()))


async def set_up_webhook_lane(app: FastAPI) -> None:
    settings: BillingSettings = app.state.settings
    lane = app.state.webhook_lane = WebhookLane(settings.webhook_concurrency, settings.webhook_read_concurrency)
    lane.observe(app.state.metrics)

"""Issue 20: stored webhooks are processed at most `BILLING_WEBHOOK_CONCURRENCY` at once in a process; the others
wait in memory in the order they arrived (an `asyncio.Semaphore` hands its slots out first come, first served).

Before, each webhook started a processing task of its own: a burst (50/s on the renewal day) ran them all at once
on a write pool of 10 + 10, so the overflow opened and closed connections (asyncpg's type introspection and
`set_config('jit')` of each new one) and every payment waited for CPU behind every other. A waiting webhook is
never lost: it was committed before the provider got its 2xx, and one that is still waiting (or was never
processed: the process stopped) when `BILLING_WEBHOOK_RETRY_SECONDS` pass is taken by the payments worker's sweep,
oldest first; the claim (`FOR UPDATE SKIP LOCKED`, not yet processed) lets only one of the two apply it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog
from fastapi import FastAPI

from billing.config import BillingSettings

log = structlog.get_logger("billing.webhooks")


class WebhookLane:
    """At most `concurrency` processings running at once; `submit` never waits, the processings queue in order."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self.tasks: set[asyncio.Task[object]] = set()  # running or waiting for a slot (tests await them)
        self.running = 0

    @property
    def waiting(self) -> int:
        return len(self.tasks) - self.running

    def submit(self, processing: Coroutine[Any, Any, object], *, name: str | None = None) -> asyncio.Task[object]:
        """Run `processing` when a slot is free (after the ones submitted before); the lane holds the task (named
        `name`) until it ends. If it fails or the process stops first, the stored event waits for the sweep."""
        task = asyncio.get_running_loop().create_task(self._in_turn(processing), name=name)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    async def _in_turn(self, processing: Coroutine[Any, Any, object]) -> object:
        try:
            async with self._slots:
                self.running += 1
                try:
                    return await processing
                finally:
                    self.running -= 1
        finally:
            processing.close()  # a no-op once awaited; a task cancelled while waiting leaves no "never awaited"

    def _done(self, finished: asyncio.Task[object]) -> None:
        self.tasks.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("webhook_processing_crashed", error=repr(finished.exception()))


async def set_up_webhook_lane(app: FastAPI) -> None:
    settings: BillingSettings = app.state.settings
    app.state.webhook_lane = WebhookLane(settings.webhook_concurrency)

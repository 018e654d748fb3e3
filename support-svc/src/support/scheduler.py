"""The support scheduler: SLA flags (S-3) and appointment reminders (S-7), each pass one transaction per job.
Safe with any number of replicas: rows are claimed with `FOR UPDATE SKIP LOCKED` and each effect has a unique key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from support.runtime import Runtime

log = structlog.get_logger("support.scheduler")

Job = Callable[[AsyncSession, Runtime], Awaitable[int]]


class Scheduler:
    def __init__(self, *, runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession], jobs: Sequence[Job],
                 poll_seconds: float) -> None:
        self.runtime, self.sessionmaker, self.jobs, self.poll_seconds = runtime, sessionmaker, jobs, poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self, *_: object) -> None:
        """Run a pass now (the test clock moved, or a caller wants one)."""
        self._wake.set()

    async def run_once(self) -> int:
        done = 0
        for job in self.jobs:
            while True:  # a full batch may leave more behind: go on until a pass finds less
                async with unit_of_work(self.sessionmaker) as session:
                    count = await job(session, self.runtime)
                done += count
                if count < self.runtime.settings.scheduler_batch_size:
                    break
        return done

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="support-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("scheduler_pass_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()

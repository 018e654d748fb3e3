"""The maturing job (F-2): every `maturing_interval_seconds`, and at once when the (test) clock moves, due
commissions move from pending to available. Safe with any number of replicas (SKIP LOCKED claims, unique keys)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import AdjustableClock, Clock
from abono.db import unit_of_work
from affiliate.commissions.service import mature_due
from affiliate.config import AffiliateSettings

log = structlog.get_logger("affiliate.maturing")
BATCH = 200


async def run_once(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> int:
    """Mature everything due now, one batch per transaction; returns how many commissions matured."""
    done = 0
    while True:
        async with unit_of_work(sessionmaker) as session:
            count = await mature_due(session=session, now=clock.now(), limit=BATCH)
        done += count
        if count < BATCH:
            return done


class MaturingJob:
    def __init__(self, *, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                 settings: AffiliateSettings) -> None:
        self.sessionmaker, self.clock, self.settings = sessionmaker, clock, settings
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self, _now: datetime | None = None) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await run_once(sessionmaker=self.sessionmaker, clock=self.clock)
            except Exception:
                log.exception("maturing_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.maturing_interval_seconds)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if isinstance(self.clock, AdjustableClock):
            self.clock.on_change(self.wake)
        self._task = asyncio.create_task(self._run(), name="affiliate-maturing")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def start_maturing(app: FastAPI) -> None:
    settings: AffiliateSettings = app.state.settings
    if not settings.maturing_enabled:
        return
    job = MaturingJob(sessionmaker=app.state.sessionmaker, clock=app.state.clock, settings=settings)
    app.state.maturing = job
    job.start()


async def stop_maturing(app: FastAPI) -> None:
    job: MaturingJob | None = getattr(app.state, "maturing", None)
    if job is not None:
        await job.stop()

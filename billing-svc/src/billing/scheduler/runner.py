"""Runs service endings, renewals, dunning and upgrade expiry every `scheduler_interval_seconds`, and at once when
the (test) clock moves."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import AdjustableClock, Clock
from billing.business_settings.jobs import effective_now
from billing.changes.jobs import end_services, expire_upgrades
from billing.config import BillingSettings
from billing.dunning.jobs import run_dunning
from billing.renewals.jobs import issue_renewals

log = structlog.get_logger("billing.scheduler")


@dataclass(frozen=True)
class RunReport:
    renewals_issued: int
    invoices_dunned: int
    services_ended: int = 0
    upgrades_expired: int = 0


async def run_once(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                   settings: BillingSettings) -> RunReport:
    """One pass: services whose end has come (B-15), renewals (B-2), reminders and dunning decisions (B-3..B-6),
    upgrades left unpaid (B-14). The business settings an admin stored are read once per run, so a change applies
    from the next run on."""
    settings = await effective_now(sessionmaker, settings)
    ended = await end_services(sessionmaker=sessionmaker, clock=clock, settings=settings)
    issued = await issue_renewals(sessionmaker=sessionmaker, clock=clock, settings=settings)
    dunned = await run_dunning(sessionmaker=sessionmaker, clock=clock, settings=settings)
    expired = await expire_upgrades(sessionmaker=sessionmaker, clock=clock, settings=settings)
    return RunReport(issued, dunned, ended, expired)


class BillingScheduler:
    def __init__(self, *, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                 settings: BillingSettings) -> None:
        self.sessionmaker, self.clock, self.settings = sessionmaker, clock, settings
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.runs = 0

    def wake(self, _now: datetime | None = None) -> None:
        """Run again now (thread-safe: the clock may move from anywhere)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await run_once(sessionmaker=self.sessionmaker, clock=self.clock, settings=self.settings)
            except Exception:
                log.exception("scheduler_run_failed")
            self.runs += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.scheduler_interval_seconds)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if isinstance(self.clock, AdjustableClock):
            self.clock.on_change(self.wake)
        self._task = asyncio.create_task(self._run(), name="billing-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def start_scheduler(app: FastAPI) -> None:
    settings: BillingSettings = app.state.settings
    if not settings.scheduler_enabled:
        return
    scheduler = BillingScheduler(sessionmaker=app.state.sessionmaker, clock=app.state.clock, settings=settings)
    app.state.scheduler = scheduler
    scheduler.start()


async def stop_scheduler(app: FastAPI) -> None:
    scheduler: BillingScheduler | None = getattr(app.state, "scheduler", None)
    if scheduler is not None:
        await scheduler.stop()

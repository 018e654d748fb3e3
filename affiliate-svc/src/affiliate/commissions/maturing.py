"""The maturing job (F-2): every `maturing_interval_seconds`, and at once when the (test) clock moves, due
commissions move from pending to available (an `abono.workers.PeriodicJob`, at `app.state.maturing`). Safe with any
number of replicas (SKIP LOCKED claims, unique keys)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.workers import PeriodicJob, WorkerSpec, drain
from affiliate.commissions.service import mature_due
from affiliate.config import AffiliateSettings

BATCH = 200


async def run_once(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> int:
    """Mature everything due now, one batch per transaction; returns how many commissions matured."""

    async def step(session: AsyncSession) -> int:
        return await mature_due(session=session, now=clock.now(), limit=BATCH)

    return await drain(sessionmaker, step, batch=BATCH)


def _build(app: FastAPI) -> PeriodicJob:
    settings: AffiliateSettings = app.state.settings
    sessionmaker, clock = app.state.sessionmaker, app.state.clock

    async def run_pass() -> int:
        return await run_once(sessionmaker=sessionmaker, clock=clock)

    return PeriodicJob(name="affiliate-maturing", run_pass=run_pass, clock=clock,
                       interval_seconds=settings.maturing_interval_seconds)


def _enabled(app: FastAPI) -> bool:
    settings: AffiliateSettings = app.state.settings
    return settings.maturing_enabled


MATURING = WorkerSpec("maturing", _build, _enabled)

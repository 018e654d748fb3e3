"""Runs service endings, renewals, dunning and upgrade expiry every `scheduler_interval_seconds`, and at once when
the (test) clock moves (an `abono.workers.PeriodicJob`, at `app.state.scheduler`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.workers import PeriodicJob, WorkerSpec
from billing.business_settings.jobs import effective_now
from billing.changes.jobs import end_services, expire_upgrades
from billing.config import BillingSettings
from billing.dunning.jobs import run_dunning
from billing.renewals.jobs import issue_renewals


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


def _build(app: FastAPI) -> PeriodicJob:
    settings: BillingSettings = app.state.settings
    run_pass = partial(run_once, sessionmaker=app.state.sessionmaker, clock=app.state.clock, settings=settings)
    return PeriodicJob(name="billing-scheduler", run_pass=run_pass, clock=app.state.clock,
                       interval_seconds=settings.scheduler_interval_seconds)


def _enabled(app: FastAPI) -> bool:
    settings: BillingSettings = app.state.settings
    return settings.scheduler_enabled


SCHEDULER = WorkerSpec("scheduler", _build, _enabled)

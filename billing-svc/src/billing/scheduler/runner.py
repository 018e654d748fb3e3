"""Runs service endings, renewals, auto-pay charges, dunning and upgrade expiry every `scheduler_interval_seconds`,
and at once when the (test) clock moves (an `abono.workers.PeriodicJob`, at `app.state.scheduler`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.workers import PeriodicJob, WorkerSpec
from billing.autopay.jobs import run_autopay
from billing.business_settings.jobs import effective_now
from billing.changes.jobs import end_services, expire_upgrades
from billing.config import BillingSettings
from billing.dunning.jobs import run_dunning
from billing.payments.provider import PaymentProvider
from billing.payments.worker import set_up_providers
from billing.renewals.jobs import issue_renewals


@dataclass(frozen=True)
class RunReport:
    renewals_issued: int
    invoices_dunned: int
    services_ended: int = 0
    upgrades_expired: int = 0
    autopay_paid: int = 0


async def run_once(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                   settings: BillingSettings, providers: Mapping[str, PaymentProvider] | None = None) -> RunReport:
    """One pass: services whose end has come (B-15), renewals (B-2), auto-pay charges (B-21, before dunning: the last
    retry comes before B-4 suspends), reminders and dunning decisions (B-3..B-6), upgrades left unpaid (B-14).
    The business settings an admin stored are read once per run, so a change applies from the next run on."""
    settings = await effective_now(sessionmaker, settings)
    ended = await end_services(sessionmaker=sessionmaker, clock=clock, settings=settings)
    issued = await issue_renewals(sessionmaker=sessionmaker, clock=clock, settings=settings)
    autopaid = await run_autopay(sessionmaker=sessionmaker, clock=clock, settings=settings,
                                 providers=providers or {})
    dunned = await run_dunning(sessionmaker=sessionmaker, clock=clock, settings=settings)
    expired = await expire_upgrades(sessionmaker=sessionmaker, clock=clock, settings=settings)
    return RunReport(issued, dunned, ended, expired, autopaid)


def _build(app: FastAPI) -> PeriodicJob:
    settings: BillingSettings = app.state.settings

    async def run_pass() -> RunReport:  # the providers are set up at start-up (`set_up_providers`)
        return await run_once(sessionmaker=app.state.sessionmaker, clock=app.state.clock, settings=settings,
                              providers=getattr(app.state, "payment_providers", None))

    return PeriodicJob(name="billing-scheduler", run_pass=run_pass, clock=app.state.clock,
                       interval_seconds=settings.scheduler_interval_seconds)


def _enabled(app: FastAPI) -> bool:
    settings: BillingSettings = app.state.settings
    return settings.scheduler_enabled


# Renewal runs and dunning sweeps are mass production: in the niced bulk worker process when billing's bulk lane is
# separate (issue 20), so a renewal run never delays a webhook's payment in the app's event loop.
SCHEDULER = WorkerSpec("scheduler", _build, _enabled, process="bulk", prepare=set_up_providers)

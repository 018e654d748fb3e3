"""The direct-debit worker (B-21): a debit request for each renewal invoice with an active mandate, a `PeriodicJob`
in each replica (an invoice's debit attempt has a unique key, so replicas never request twice)."""

from __future__ import annotations

from fastapi import FastAPI

from abono.workers import PeriodicJob, WorkerSpec
from billing.config import BillingSettings
from billing.direct_debit.jobs import debit_pass, run_debit_pass


def _build(app: FastAPI) -> PeriodicJob:
    settings: BillingSettings = app.state.settings

    async def run_pass() -> None:
        state = app.state
        await run_debit_pass(debit_pass(
            sessionmaker=state.sessionmaker, clock=state.clock, settings=settings, providers=state.payment_providers
        ))

    return PeriodicJob(
        name="billing-direct-debit",
        run_pass=run_pass,
        interval_seconds=max(1, min(settings.direct_debit_retry_seconds, 60)),
    )


def _enabled(app: FastAPI) -> bool:
    settings: BillingSettings = app.state.settings
    return settings.payments_worker_enabled


DIRECT_DEBIT_WORKER = WorkerSpec("direct_debit_worker", _build, _enabled)

"""The payments worker: the webhook sweep, the reconciliation job and provider refunds, a `PeriodicJob` in each
replica (work is claimed with SKIP LOCKED, effects are keyed, so replicas never double anything)."""

from __future__ import annotations

from fastapi import FastAPI

from abono.workers import PeriodicJob, WorkerSpec
from billing.config import BillingSettings
from billing.payments.jobs import hand_back, reconcile_once, send_refunds, sweep
from billing.payments.registry import build_providers


async def set_up_providers(app: FastAPI) -> None:
    """The configured providers, built once per app (tests may set their own before start-up)."""
    if getattr(app.state, "payment_providers", None) is None:
        app.state.payment_providers = build_providers(app.state.settings)


async def drain_webhook_lane(app: FastAPI) -> None:
    """On shutdown, after the workers stopped: the webhooks in the lane finish (`BILLING_WEBHOOK_DRAIN_SECONDS`) or
    are handed back to the sweep, due at once."""
    settings: BillingSettings = app.state.settings
    await hand_back(lane=app.state.webhook_lane, sessionmaker=app.state.sessionmaker, clock=app.state.clock,
                    grace=settings.webhook_drain_seconds)


def _build(app: FastAPI) -> PeriodicJob:
    settings: BillingSettings = app.state.settings

    async def run_pass() -> None:
        common = {"sessionmaker": app.state.sessionmaker, "clock": app.state.clock, "settings": settings,
                  "providers": app.state.payment_providers}
        await sweep(**common, lane=app.state.webhook_lane)  # issue 20: a restart's backlog, several at once
        await reconcile_once(**common)
        await send_refunds(sessionmaker=app.state.sessionmaker, clock=app.state.clock,
                           providers=app.state.payment_providers)

    tick = max(1, min(settings.webhook_retry_seconds, settings.reconciliation_interval_seconds))
    return PeriodicJob(name="billing-payments-worker", run_pass=run_pass, interval_seconds=tick)


def _enabled(app: FastAPI) -> bool:
    settings: BillingSettings = app.state.settings
    return settings.payments_worker_enabled


PAYMENTS_WORKER = WorkerSpec("payments_worker", _build, _enabled)

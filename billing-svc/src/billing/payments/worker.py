"""The payments worker: the webhook sweep, the reconciliation job and provider refunds, on a loop in each replica
(work is claimed with SKIP LOCKED, effects are keyed, so replicas never double anything)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from fastapi import FastAPI

from billing.config import BillingSettings
from billing.payments.jobs import reconcile_once, send_refunds, sweep
from billing.payments.registry import build_providers

log = structlog.get_logger("billing.payments")


async def _loop(app: FastAPI) -> None:
    settings: BillingSettings = app.state.settings
    tick = max(1, min(settings.webhook_retry_seconds, settings.reconciliation_interval_seconds))
    while True:
        common = {"sessionmaker": app.state.sessionmaker, "clock": app.state.clock, "settings": settings,
                  "providers": app.state.payment_providers}
        try:
            await sweep(**common)
            await reconcile_once(**common)
            await send_refunds(sessionmaker=app.state.sessionmaker, clock=app.state.clock,
                               providers=app.state.payment_providers)
        except Exception:
            log.exception("payments_worker_failed")
        await asyncio.sleep(tick)


async def start_payments(app: FastAPI) -> None:
    settings: BillingSettings = app.state.settings
    if getattr(app.state, "payment_providers", None) is None:
        app.state.payment_providers = build_providers(settings)
    if settings.payments_worker_enabled:
        app.state.payments_worker = asyncio.create_task(_loop(app), name="billing-payments-worker")


async def stop_payments(app: FastAPI) -> None:
    task: asyncio.Task[None] | None = getattr(app.state, "payments_worker", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""Issue 20: with billing's bulk lane separate, the scheduler (renewal runs, dunning sweeps: mass production) runs in
the niced bulk worker process (`abono.bulk_worker`), never in the app answering webhooks; the payments worker (webhook
sweep, reconciliation) stays in the app. With the lane in process (one process, the tests), the app runs both."""

from __future__ import annotations

from abono.testing import platform_settings
from abono.workers import PeriodicJob
from billing.app import create_app
from billing.config import BillingSettings


def _running(job: object) -> bool:
    assert isinstance(job, PeriodicJob)
    return job._task is not None


async def _workers(billing_db: str, *, process: str, bulk_lane: str) -> dict[str, bool]:
    settings = BillingSettings(database_url=billing_db, platform=platform_settings(process=process),
                               bulk_lane=bulk_lane)  # type: ignore[arg-type]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        return {name: _running(getattr(app.state, name)) for name in ("scheduler", "payments_worker")
                if hasattr(app.state, name)}


async def test_b2_b4_the_scheduler_runs_in_the_bulk_process_when_the_bulk_lane_is_separate(billing_db: str) -> None:
    assert await _workers(billing_db, process="app", bulk_lane="separate") == {
        "scheduler": False,  # built (tests run passes by hand), not started: the bulk process runs it
        "payments_worker": True,
    }
    # python -m abono.bulk_worker billing.app:create_app: only the bulk workers, with what they need (providers).
    assert await _workers(billing_db, process="bulk", bulk_lane="separate") == {"scheduler": True}
    assert await _workers(billing_db, process="app", bulk_lane="in_process") == {
        "scheduler": True, "payments_worker": True,
    }

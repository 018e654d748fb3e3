"""The consuming service of the `event_bus` scenario: a real Abono service (`create_service_app`, so the same
Broker and ConsumerRunner as every service) whose one handler writes one row per event: a batch handler
(`Consumer.on_batch`), one INSERT for the deliveries the worker applies in one transaction.

    BENCH_SINK_DATABASE_URL=... ABONO_AMQP_URL=... python -m uvicorn --factory bench.sink_app:create_app

The commit time of each handler's transaction is kept in memory (SQLAlchemy `after_commit`, so it is the moment
the inbox row and the effect are durable) and served at `/bench/commits?run=...` for the latency figures.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic_settings import SettingsConfigDict
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from abono.messaging.consumer import Consumer
from abono.service import ServiceSpec, create_service_app
from abono.settings import ServiceSettings
from bench.bus_model import SINK, SINK_CONSUMER, BenchPing, effects

_INFO_KEY = "bench_applied"
# run → [(seq, commit wall time)], filled by the after_commit hook.
_commits: dict[str, list[tuple[int, float]]] = defaultdict(list)

consumer = Consumer(SINK_CONSUMER)


@consumer.on_batch(BenchPing)
async def apply_pings(session: AsyncSession, pings: Sequence[BenchPing]) -> None:
    """One INSERT for the deliveries the worker applies together, as a real handler of a busy event type would."""
    await session.execute(
        insert(effects),
        [{"run": p.run, "seq": p.seq, "event_id": p.event_id, "occurred_at": p.occurred_at} for p in pings],
    )
    session.info.setdefault(_INFO_KEY, []).extend((p.run, p.seq) for p in pings)


def _after_commit(session: Session) -> None:
    now = time.time()
    for run, seq in session.info.pop(_INFO_KEY, ()):
        _commits[run].append((seq, now))


class SinkSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_SINK_", extra="ignore")


router = APIRouter(prefix="/bench", include_in_schema=False)


@router.get("/state")
async def state(request: Request) -> dict[str, Any]:
    return {
        "consuming": request.app.state.consumer_runner.is_consuming,
        "runs": {run: len(rows) for run, rows in _commits.items()},
    }


@router.get("/commits")
async def commits(run: str) -> list[tuple[int, float]]:
    return _commits.get(run, [])


def create_app() -> FastAPI:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
    return create_service_app(
        ServiceSpec(name=SINK, title="bench sink", settings=SinkSettings(), routers=[router], consumers=[consumer])
    )

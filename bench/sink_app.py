"""The consuming service of the `event_bus` scenario: a real Abono service (`create_service_app`, so the same
Broker and ConsumerRunner as every service) whose one handler writes one row per event.

    BENCH_SINK_DATABASE_URL=... ABONO_AMQP_URL=... python -m uvicorn --factory bench.sink_app:create_app

The commit time of each handler's transaction is kept in memory (SQLAlchemy `after_commit`, so it is the moment
the inbox row and the effect are durable) and served at `/bench/commits?run=...` for the latency figures.
"""

from __future__ import annotations

import time
from collections import defaultdict
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


@consumer.on(BenchPing)
async def apply_ping(session: AsyncSession, ping: BenchPing) -> None:
    await session.execute(
        insert(effects).values(run=ping.run, seq=ping.seq, event_id=ping.event_id, occurred_at=ping.occurred_at)
    )
    session.info[_INFO_KEY] = (ping.run, ping.seq)


def _after_commit(session: Session) -> None:
    applied = session.info.pop(_INFO_KEY, None)
    if applied is not None:
        _commits[applied[0]].append((applied[1], time.time()))


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

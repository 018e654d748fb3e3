"""Moving the platform clock: persist the offset, set the gateway's clock, push it to every service.

Pushing is synchronous so that when the test driver gets the answer, every service that acknowledged already
runs at the new time; a service that is down takes the offset from `GET /internal/test/clock` when it starts.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import AdjustableClock
from abono.db import unit_of_work
from abono.testclock import ClockState, clock_state
from gateway.proxy.h1 import UpstreamError
from gateway.proxy.upstream import UpstreamClient
from gateway.testclock.repository import ClockRepository
from gateway.testclock.schemas import ServiceAck

_US = timedelta(microseconds=1)


async def load(*, sessionmaker: async_sessionmaker[AsyncSession], clock: AdjustableClock) -> ClockState:
    """Set `clock` to the stored offset (at start-up, and before answering, so any replica tells the truth)."""
    async with unit_of_work(sessionmaker) as session:
        offset_us = await ClockRepository(session).get_offset_us()
    clock.set_offset(offset_us * _US)
    return clock_state(clock)


async def save(
    *, sessionmaker: async_sessionmaker[AsyncSession], clock: AdjustableClock, offset: timedelta
) -> ClockState:
    """Commit the new offset, then apply it: a failed commit leaves the clock where it was."""
    async with unit_of_work(sessionmaker) as session:
        await ClockRepository(session).save_offset_us(offset // _US, at=datetime.now(UTC))
    clock.set_offset(offset)
    return clock_state(clock)


async def push(
    *,
    http: UpstreamClient,
    service_urls: dict[str, str],
    offset_us: int,
    authorization: str | None,
    timeout_seconds: float,
) -> list[ServiceAck]:
    """`PUT <url>/internal/test/clock {offset_us}` on every service at once, the caller's token forwarded."""
    headers = {"Accept-Encoding": "identity", **({"Authorization": authorization} if authorization else {})}

    async def one(service: str, url: str) -> ServiceAck:
        try:
            async with asyncio.timeout(timeout_seconds):
                status, body = await http.fetch(
                    "PUT",
                    f"{url}/internal/test/clock",
                    headers={**headers, "Content-Type": "application/json"},
                    body=json.dumps({"offset_us": offset_us}).encode(),
                )
        except (UpstreamError, TimeoutError) as exc:
            return ServiceAck(service=service, acknowledged=False, error=str(exc) or type(exc).__name__)
        if status == 200:
            return ServiceAck(service=service, acknowledged=True, status=200)
        detail = body.decode("utf-8", "replace")[:300]
        return ServiceAck(service=service, acknowledged=False, status=status, error=detail)

    return list(await asyncio.gather(*(one(name, url) for name, url in service_urls.items())))

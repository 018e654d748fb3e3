"""Moving the platform clock: persist the offset, set the gateway's clock, push it to every service.

Pushing is synchronous so that when the test driver gets the answer, every service that acknowledged already
runs at the new time; a service that is down takes the offset from `GET /internal/test/clock` when it starts.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import AdjustableClock
from abono.db import unit_of_work
from abono.testclock import ClockState, clock_state
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
    http: aiohttp.ClientSession,
    service_urls: dict[str, str],
    offset_us: int,
    authorization: str | None,
    timeout_seconds: float,
) -> list[ServiceAck]:
    """`PUT <url>/internal/test/clock {offset_us}` on every service at once, the caller's token forwarded."""
    headers = {"Accept-Encoding": "identity", **({"Authorization": authorization} if authorization else {})}

    async def one(service: str, url: str) -> ServiceAck:
        try:
            async with http.put(
                f"{url}/internal/test/clock",
                json={"offset_us": offset_us},
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            ) as response:
                if response.status == 200:
                    return ServiceAck(service=service, acknowledged=True, status=200)
                detail = (await response.text())[:300]
                return ServiceAck(service=service, acknowledged=False, status=response.status, error=detail)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return ServiceAck(service=service, acknowledged=False, error=str(exc) or type(exc).__name__)

    return list(await asyncio.gather(*(one(name, url) for name, url in service_urls.items())))

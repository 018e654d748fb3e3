"""Test mode's shared clock (`ABONO_TEST_MODE=true` only).

The gateway owns the clock's offset (persisted in its database) and pushes every move to each service's
`PUT /internal/test/clock`; a service that starts later reads the offset from the gateway's
`GET /internal/test/clock`. Outside test mode none of these routes exist.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel, StrictInt

from abono.auth import AdminPrincipal
from abono.clock import AdjustableClock

log = structlog.get_logger("abono.testclock")


class ClockState(BaseModel):
    now: datetime
    offset_us: StrictInt


class ClockOffset(BaseModel):
    offset_us: StrictInt


def clock_state(clock: AdjustableClock) -> ClockState:
    offset = clock.offset
    return ClockState(now=clock.now(), offset_us=offset // timedelta(microseconds=1))


def service_clock_router() -> APIRouter:
    router = APIRouter(prefix="/internal/test", tags=["test mode"])

    @router.get("/clock", summary="Read this service's test clock")
    async def read_clock(request: Request, _: AdminPrincipal) -> ClockState:
        return clock_state(request.app.state.clock)

    @router.put("/clock", summary="Set this service's test clock offset (the gateway pushes it)")
    async def set_clock(request: Request, body: ClockOffset, _: AdminPrincipal) -> ClockState:
        clock: AdjustableClock = request.app.state.clock
        clock.set_offset(timedelta(microseconds=body.offset_us))
        return clock_state(clock)

    return router


async def follow_gateway_clock(clock: AdjustableClock, gateway_url: str, *, retry_seconds: float = 1.0) -> None:
    """At start-up, take the platform's current offset from the gateway (retrying until it answers)."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=5.0) as client:
        while True:
            try:
                response = await client.get("/internal/test/clock")
                if response.status_code == 200:
                    clock.set_offset(timedelta(microseconds=ClockOffset.model_validate(response.json()).offset_us))
                    log.info("test_clock_synced", offset_us=response.json()["offset_us"])
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(retry_seconds)

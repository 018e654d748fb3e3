"""Request dependencies shared by billing's routers: the clock and the settings (with the stored business settings)."""

from typing import Annotated

from fastapi import Depends, Request

from abono.clock import Clock
from billing.business_settings.jobs import cache_of
from billing.config import BillingSettings


async def _clock(request: Request) -> Clock:
    """`async` though it never waits: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on
    every request that takes the clock (issue 20: seen in billing's profile at 50 webhooks/s)."""
    clock: Clock = request.app.state.clock
    return clock


def _base_settings(request: Request) -> BillingSettings:
    settings: BillingSettings = request.app.state.settings
    return settings


async def _settings(request: Request) -> BillingSettings:
    """The environment's settings with the business settings an admin stored (re-read within seconds)."""
    return await cache_of(request.app).current()


ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[BillingSettings, Depends(_settings)]

PROBLEMS = {
    401: {"description": "Missing or bad access token (problem+json)"},
    403: {"description": "Your role may not do this (problem+json)"},
    404: {"description": "Not found (problem+json)"},
    409: {"description": "Conflicts with the current state (problem+json)"},
    422: {"description": "Invalid input (problem+json)"},
}


def problems(*statuses: int) -> dict[int | str, dict[str, str]]:
    """`responses=` for a route: the listed problem statuses."""
    return {status: PROBLEMS[status] for status in statuses}

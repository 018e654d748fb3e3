"""Request dependencies shared by affiliate's routers: the clock, the settings, the secret box, the caller's
address.

`async def` although they never wait: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on every
request (issue 20)."""

from typing import Annotated

from fastapi import Depends, Request

from abono.clock import Clock
from abono.crypto import SecretBox
from affiliate.config import AffiliateSettings


async def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def _settings(request: Request) -> AffiliateSettings:
    settings: AffiliateSettings = request.app.state.settings
    return settings


async def _box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


async def _address(request: Request) -> str | None:
    """The visitor's address as the gateway saw it (the first of X-Forwarded-For, which the gateway sets)."""
    forwarded = request.headers.get("x-forwarded-for", "")
    first = forwarded.split(",", 1)[0].strip()
    return first or (request.client.host if request.client else None)


ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[AffiliateSettings, Depends(_settings)]
BoxDep = Annotated[SecretBox, Depends(_box)]
AddressDep = Annotated[str | None, Depends(_address)]

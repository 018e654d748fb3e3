"""The effective settings read in a transaction of their own: once per scheduler run (`effective_now`), and for
requests through a per-app cache (re-read at most every `business_settings_cache_seconds`, and at once in the
replica that wrote them)."""

from __future__ import annotations

import time

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from billing.business_settings.service import effective
from billing.config import BillingSettings


async def effective_now(sessionmaker: async_sessionmaker[AsyncSession], base: BillingSettings) -> BillingSettings:
    async with unit_of_work(sessionmaker) as session:
        return await effective(session, base)


class SettingsCache:
    """The effective settings for requests: re-read when older than the TTL, or after this replica wrote them."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], base: BillingSettings) -> None:
        self.sessionmaker, self.base = sessionmaker, base
        self._value: BillingSettings | None = None
        self._loaded = 0.0

    async def current(self) -> BillingSettings:
        if self._value is None or time.monotonic() - self._loaded >= self.base.business_settings_cache_seconds:
            self._value, self._loaded = await effective_now(self.sessionmaker, self.base), time.monotonic()
        return self._value

    def invalidate(self) -> None:
        self._value = None


def cache_of(app: FastAPI) -> SettingsCache:
    """The app's cache of its effective settings (made on first use)."""
    cache: SettingsCache | None = getattr(app.state, "business_settings", None)
    if cache is None:
        cache = app.state.business_settings = SettingsCache(app.state.sessionmaker, app.state.settings)
    return cache

"""Fixed-window rate limits per key (`login:<ip>:<email>`, `signup:<ip>`, ...).

Windows are aligned to the epoch, so every replica agrees on them; a burst across a boundary can reach twice the
limit, which is acceptable for slowing down password guessing. The count is committed in its own transaction:
a failed login rolls its request back, but its attempt must still count.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from abono.errors import TooManyRequests
from gateway.config import RateLimit
from gateway.ratelimit.repository import RateLimitRepository

log = structlog.get_logger("gateway.ratelimit")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def private_key(*parts: str) -> str:
    """A counter key part that does not keep what it counts (e-mails typed at the login form) in clear."""
    return hashlib.sha256("\x00".join(parts).lower().encode()).hexdigest()[:32]


def _window(now: datetime, rule: RateLimit) -> tuple[datetime, datetime]:
    elapsed = (now - _EPOCH) // timedelta(seconds=1)
    start = _EPOCH + timedelta(seconds=elapsed - elapsed % rule.window_seconds)
    return start, start + timedelta(seconds=rule.window_seconds)


async def enforce(
    *, sessionmaker: async_sessionmaker[AsyncSession], now: datetime, checks: Sequence[tuple[str, RateLimit]]
) -> None:
    """Count one attempt on every key of `checks`; raise 429 (with Retry-After) if any is over its limit."""
    retry_after = 0
    async with unit_of_work(sessionmaker) as session:
        repository = RateLimitRepository(session)
        for key, rule in checks:
            start, end = _window(now, rule)
            hits = await repository.hit(key, window_started_at=start, window_ends_at=end)
            if hits > rule.limit:
                retry_after = max(retry_after, math.ceil((end - now).total_seconds()), 1)
    if retry_after:
        log.info("rate_limited", keys=[key.split(":", 1)[0] for key, _ in checks], retry_after=retry_after)
        raise TooManyRequests("Too many attempts; try again later.", retry_after=retry_after)


def is_lookup(routes: Sequence[str], method: str, path: str) -> bool:
    """Whether `method path` is one of `routes` ("METHOD regex"), the requests counted on the lookup budget."""
    return any(m == method and pattern.fullmatch(path) for m, pattern in _compiled(tuple(routes)))


@cache
def _compiled(routes: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(method.upper(), re.compile(regex)) for method, regex in (route.split(" ", 1) for route in routes)]


async def prune_forever(
    *, sessionmaker: async_sessionmaker[AsyncSession], now: Callable[[], datetime], every_seconds: float = 300.0
) -> None:
    """Delete stale counters now and then, so keys from one-off visitors do not pile up."""
    while True:
        try:
            async with unit_of_work(sessionmaker) as session:
                await RateLimitRepository(session).prune(before=now())
        except Exception:  # a failed prune is retried at the next turn; never kill the task
            log.warning("rate_limit_prune_failed", exc_info=True)
        await asyncio.sleep(every_seconds)

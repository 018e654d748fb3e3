"""A token bucket per channel (issue 20 item 3): at most `rate` sends a second on average, `burst` at once.

A waiter of an earlier lane (urgent before standard before bulk, as `abono.events.Lane` orders them) takes the next
token before any waiter of a later lane, so a payment's e-mail is not rationed behind a renewal backlog. The clock
and the sleep are injected: tests count the tokens handed out per window on a clock they move, without waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from abono.events import Lane

_ROUNDING = 1e-9


class TokenBucket:
    def __init__(self, rate: float, *, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least one")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._at = clock()
        self._waiting = dict.fromkeys(Lane, 0)
        self.taken = 0  # tokens handed out since the start (the metrics read it)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
        self._at = now

    def _earlier_waiting(self, lane: Lane) -> bool:
        return any(count for other, count in self._waiting.items() if other < lane)

    @property
    def waiting(self) -> int:
        """How many sends wait for a token now."""
        return sum(self._waiting.values())

    async def take(self, lane: Lane = Lane.STANDARD) -> None:
        """Wait for a token; waiters of an earlier lane are served first."""
        self._waiting[lane] += 1
        try:
            while True:
                self._refill()
                whole = self._tokens >= 1 - _ROUNDING  # a sum of float steps may fall short of 1 by a hair
                if whole and not self._earlier_waiting(lane):
                    self._tokens = max(0.0, self._tokens - 1)
                    self.taken += 1
                    return
                # Until the next token (or, yielding to an earlier lane, one token's time later).
                await self._sleep(1 / self.rate if whole else (1 - self._tokens) / self.rate)
        finally:
            self._waiting[lane] -= 1

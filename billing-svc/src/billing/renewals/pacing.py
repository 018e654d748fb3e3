"""The renewal run gives way to payments (issue 20): it is mass production (a few seconds longer is free), while a
client who just paid waits for every second of the payment's path (B-7, P-2).

Before each chunk the run asks (`RenewalRepository.urgent_work_pending`) whether a payment is in progress: a payment
provider's webhook stored and not processed yet, or an urgent outbox row not published yet (an `InvoicePaid`, a
reactivation), either from the last minute (older ones are a provider or the broker down, retried by their sweeps:
no payment is going faster for our waiting). While one is, the run waits, looking again every `POLL_SECONDS`, at
most `BillingSettings.renewal_yield_max_seconds` before each chunk: a steady stream of payments slows the run, never
stops it. A chunk already writing is not interrupted; the pause leaves the CPU and PostgreSQL to the payment until
its events are on the broker.

While payments keep coming, the run's chunk workers take turns (`turn`): one waits and then writes while the others
wait for it, so at most one chunk statement runs beside the payments. PostgreSQL's backends are not niced like the
run's process: two chunk statements at once took both cores of a 2-core machine from the payment's statements
(bench `renewal_day`). With no payment in progress the workers write side by side as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing.renewals.repository import RenewalRepository

POLL_SECONDS = 0.025  # a payment's work is tens of milliseconds on an idle machine


class RenewalPacer:
    """Shared by a run's chunk workers; `pauses` and `paused_seconds` say how often and how long it gave way."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, max_wait: float,
                 poll: float = POLL_SECONDS) -> None:
        self._sessionmaker = sessionmaker
        self._max_wait = max_wait
        self._poll = poll
        self.pauses = 0
        self.paused_seconds = 0.0
        self.turns_taken = 0  # chunks written alone because a payment was still in progress after the wait
        self._turns = asyncio.Lock()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Around one chunk of a worker: `before_chunk`, and if a payment is still in progress after it, the chunk
        is written before another worker's wait begins (one chunk statement at a time beside the payments)."""
        alone = False
        await self._turns.acquire()
        try:
            alone = await self.before_chunk()
        finally:
            if not alone:  # else held until the chunk is written: the next worker's wait starts then
                self._turns.release()
        self.turns_taken += alone
        try:
            yield
        finally:
            if alone:
                self._turns.release()

    async def before_chunk(self) -> bool:
        """Wait while urgent work is pending, at most `max_wait` seconds (0: never); whether it still was."""
        if self._max_wait <= 0:
            return False
        started = time.monotonic()
        deadline = started + self._max_wait
        paused = pending = False
        while pending := await self._pending():
            if not paused:
                paused = True
                self.pauses += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.sleep(min(self._poll, remaining))
        if paused:
            self.paused_seconds += time.monotonic() - started
        return pending

    async def _pending(self) -> bool:
        async with self._sessionmaker() as session:
            return await RenewalRepository(session).urgent_work_pending()

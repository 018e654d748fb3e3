"""The renewal run gives way to payments (issue 20): it is mass production (a few seconds longer is free), while a
client who just paid waits for every second of the payment's path (B-7, P-2).

Before each chunk the run asks (`RenewalRepository.urgent_work_pending`) whether a payment is in progress: a payment
provider's webhook stored and neither processed nor failed yet, or an urgent outbox row not published yet (an
`InvoicePaid`, a reactivation), either from the last minute (older ones are a provider or the broker down, retried
by their sweeps: no payment is going faster for our waiting). While one is, the run waits, looking again every
`POLL_SECONDS`, at most `BillingSettings.renewal_yield_max_seconds` before each chunk: a steady stream of payments
slows the run, never stops it. A chunk already writing is not interrupted; the pause leaves the CPU and PostgreSQL
to the payment until its events are on the broker.

The cap (5 s) binds only while payments queue: at 20 payments a second, each done in tens of milliseconds, the run
finds a moment with nothing pending within a poll or two and goes on. When they queue (the machine saturated), a
short cap let the run take its chunk anyway: with 0.5 s, `renewal_day` quick on a 2-core machine where the run, the
drain and the payments outgrow the cores, the payments queued in billing's lane (webhook → active p50 / p99 during
the drain 1,182-1,726 / 1,938-2,872 ms over three runs) against 270-361 / 740-820 ms with 5 s (two runs), the run
35 s against 36-37 s, the backlog drained as fast (bench/README.md, session 13). A webhook whose processing
failed (its provider down) waits for its retry and holds nothing: the run would otherwise wait the whole cap
before every chunk for a minute.
"""

from __future__ import annotations

import asyncio
import time

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

    async def before_chunk(self) -> None:
        """Wait while urgent work is pending, at most `max_wait` seconds (0: never)."""
        if self._max_wait <= 0:
            return
        started = time.monotonic()
        deadline = started + self._max_wait
        paused = False
        while await self._pending():
            if not paused:
                paused = True
                self.pauses += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.sleep(min(self._poll, remaining))
        if paused:
            self.paused_seconds += time.monotonic() - started

    async def _pending(self) -> bool:
        async with self._sessionmaker() as session:
            return await RenewalRepository(session).urgent_work_pending()

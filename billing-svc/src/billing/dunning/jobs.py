"""The dunning run (B-3..B-6): a job, it opens and commits its own transactions; see `billing.dunning.service`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.business_days import load_business_days
from abono.clock import Clock
from abono.db import unit_of_work
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.dunning.repository import DunningQueries
from billing.dunning.service import SWEEP_CHUNK, Calendar, dun_one, sweep_chunk

log = structlog.get_logger("billing.dunning")
DEADLOCK_DETECTED = "40P01"


async def run_dunning(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                      settings: BillingSettings, chunk: int = SWEEP_CHUNK) -> int:
    """Every unpaid invoice whose reminders or deadlines may have come; returns how many were looked at.

    In due-date order, as dunning them one by one would: those past their B-6 day (the oldest, few: B-6 cancels
    them) one per transaction, then the rest by chunks of `chunk`, one transaction each."""
    today = local_date(clock.now(), settings.calendar_timezone)
    horizon = today + timedelta(days=max(settings.reminder_days_before, default=0))
    async with unit_of_work(sessionmaker) as session:
        due = await DunningQueries(session).candidates(horizon)
        # B-5 counts the business days of the operator's calendar: its holiday overrides as support announced them.
        calendar = Calendar(settings, await load_business_days(session, settings.holiday_country))
    for late in (c for c in due if today >= calendar.b6(c.due_on)):
        async with unit_of_work(sessionmaker) as session:
            await dun_one(session, late.id, today=today, calendar=calendar, clock=clock)
    # An invoice whose due steps are all recorded has nothing left today: not even locked (a rerun costs a read).
    rest = [c.id for c in due if today < calendar.b6(c.due_on) and not c.done.issuperset(
        calendar.steps_due(c.due_on, today))]
    for start in range(0, len(rest), chunk):
        await _with_retry(sessionmaker, partial(sweep_chunk, ids=rest[start:start + chunk], today=today,
                                                calendar=calendar, clock=clock))
    return len(due)


async def _with_retry(sessionmaker: async_sessionmaker[AsyncSession],
                      work: Callable[[AsyncSession], Awaitable[None]], attempts: int = 3) -> None:
    """One transaction for `work`, again if PostgreSQL chose it as a deadlock's victim (say against a payment
    locking the same client's services in another order): nothing of it was kept, so it is simply redone."""
    for attempt in range(1, attempts + 1):
        try:
            async with unit_of_work(sessionmaker) as session:
                await work(session)
            return
        except DBAPIError as exc:
            if attempt == attempts or getattr(exc.orig, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
            log.warning("dunning_chunk_deadlock_retried", attempt=attempt)

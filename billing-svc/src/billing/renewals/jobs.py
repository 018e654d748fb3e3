"""The renewal run (B-1, B-2, B-16): each renewal invoice issued `renewal_lead_days` before the due date, at the
current price; one client's renewals due the same day in the same currency share one invoice. A job: it opens and
commits its own transactions.

Set-based: clients are renewed `chunk_clients` at a time, one transaction per chunk (`batch.renew_chunk`, the one
renewal writer), `parallel` chunks at once (each on its own connection, sharing the run's memoised prices).
Replica-safe: each client is handled under its per-client renewal lock (taken for the whole chunk in one
statement, tried: a client another replica or a change holds is left for the next run), its subscriptions are
re-read and row-locked inside it, and the (subscription, period) primary key refuses a second invoice whatever
happens (the chunk is then rolled back and its clients retried one by one: chunks of one).
Paced (issue 20): before each chunk the run gives way to a payment in progress (`pacing.RenewalPacer`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from datetime import date, timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.discounts.policy import policy_from
from billing.renewals.batch import DuplicatePeriod, PlanChanged, Pricer, renew_chunk
from billing.renewals.pacing import RenewalPacer
from billing.renewals.repository import RenewalRepository, due_conditions
from billing.renewals.service import B16_NOTE

log = structlog.get_logger("billing.renewals")
CHUNK_CLIENTS = 500  # clients per transaction: as many renewal locks held at once (the lock table holds ~6,400)
PARALLEL_CHUNKS = 2  # chunks in flight: one is planned in Python while PostgreSQL writes the other


async def issue_renewals(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                         settings: BillingSettings, chunk_clients: int = CHUNK_CLIENTS,
                         parallel: int = PARALLEL_CHUNKS, pacer: RenewalPacer | None = None) -> int:
    """B-2: issue every renewal invoice whose time has come; returns how many were issued by this run. `pacer`:
    the run's (by default one waiting at most `renewal_yield_max_seconds` before each chunk)."""
    horizon = local_date(clock.now(), settings.calendar_timezone) + timedelta(days=settings.renewal_lead_days)
    async with unit_of_work(sessionmaker) as session:
        client_ids = await RenewalRepository(session).due_clients(horizon)
    chunks = deque(client_ids[start:start + chunk_clients] for start in range(0, len(client_ids), chunk_clients))
    pricer = Pricer(policy_from(settings))
    pacer = pacer or RenewalPacer(sessionmaker, max_wait=settings.renewal_yield_max_seconds)

    async def renew_chunks() -> int:  # one of `parallel` workers, each with its own connection
        issued = 0
        while chunks:
            await pacer.before_chunk()
            if not chunks:  # the other workers took the last ones meanwhile
                break
            issued += await _renew_chunk(sessionmaker=sessionmaker, clock=clock, settings=settings, pricer=pricer,
                                         client_ids=chunks.popleft(), horizon=horizon)
        return issued

    async with asyncio.TaskGroup() as group:
        workers = [group.create_task(renew_chunks()) for _ in range(max(1, parallel))]
    if pacer.pauses:
        log.info("renewal_run_gave_way", pauses=pacer.pauses, seconds=round(pacer.paused_seconds, 2))
    return sum(worker.result() for worker in workers)


async def _renew_chunk(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                       pricer: Pricer, client_ids: list[uuid.UUID], horizon: date) -> int:
    try:
        async with unit_of_work(sessionmaker) as session:
            return await renew_chunk(session=session, settings=settings, pricer=pricer, clock=clock, note=B16_NOTE,
                                     client_ids=client_ids, due=due_conditions(horizon))
    # a claimed period, a payment reference drawn twice, or a product gone between the chunk's plan and its write
    except (DuplicatePeriod, PlanChanged, IntegrityError):
        log.warning("renewal_chunk_retried_per_client", clients=len(client_ids))
    issued = 0
    for client_id in client_ids:  # one by one: what another runner claimed no longer holds the others back
        try:
            async with unit_of_work(sessionmaker) as session:
                issued += await renew_chunk(session=session, settings=settings, pricer=pricer, clock=clock,
                                            note=B16_NOTE, client_ids=[client_id], due=due_conditions(horizon))
        except DuplicatePeriod:
            log.warning("renewal_already_issued", client_id=str(client_id))
        except PlanChanged:  # left for the next run
            log.warning("renewal_plan_changed", client_id=str(client_id))
    return issued

"""The support scheduler: SLA flags (S-3), appointment reminders (S-7), health probes and month-end SLA credits
(S-4), each pass one transaction per batch of a job (an `abono.workers.PeriodicJob`, at `app.state.scheduler`). Safe
with any number of replicas: rows are claimed with `FOR UPDATE SKIP LOCKED` and each effect has a unique key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.workers import PeriodicJob, WorkerSpec, drain
from support.appointments.service import send_reminders
from support.runtime import Runtime
from support.status.credits import decide_month_credits
from support.status.probe import probe_servers
from support.tickets.escalation import flag_due_deadlines

Job = Callable[[AsyncSession, Runtime], Awaitable[int]]
JOBS: Sequence[Job] = (flag_due_deadlines, send_reminders, probe_servers, decide_month_credits)


async def run_once(*, runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession],
                   jobs: Sequence[Job] = JOBS) -> int:
    """One pass: each job until a transaction finds less than a full batch; how many rows were handled."""
    done = 0
    for job in jobs:

        async def step(session: AsyncSession, job: Job = job) -> int:
            return await job(session, runtime)

        done += await drain(sessionmaker, step, batch=runtime.settings.scheduler_batch_size)
    return done


def _build(app: FastAPI) -> PeriodicJob:
    runtime: Runtime = app.state.runtime
    return PeriodicJob(name="support-scheduler", run_pass=partial(run_once, runtime=runtime,
                                                                  sessionmaker=app.state.sessionmaker),
                       clock=runtime.clock, interval_seconds=runtime.settings.scheduler_poll_seconds)


def _enabled(app: FastAPI) -> bool:
    runtime: Runtime = app.state.runtime
    return runtime.settings.run_scheduler


SCHEDULER = WorkerSpec("scheduler", _build, _enabled)

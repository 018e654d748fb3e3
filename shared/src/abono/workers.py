"""Background workers, wired one way in every service (#12 item 6).

A service lists its workers in `ServiceSpec.workers`: each `WorkerSpec` builds its worker from the app once the
database and the broker are up, keeps it at `app.state.<name>` (tests drive it from there: `run_once()`), and starts
it when `enabled(app)` says so; the app stops them, last started first, when it shuts down.

`PeriodicJob` is the one periodic loop: a pass every `interval_seconds`, at once when woken, and at once when the
(test) clock moves. A failing pass is logged and the loop goes on. Passes claim their rows with `FOR UPDATE SKIP
LOCKED` and key their effects, so the job is safe with any number of replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import AdjustableClock, Clock
from abono.db import unit_of_work

log = structlog.get_logger("abono.workers")


class Worker(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


def _always(_app: FastAPI) -> bool:
    return True


@dataclass(frozen=True)
class WorkerSpec:
    name: str  # kept at app.state.<name>
    build: Callable[[FastAPI], Worker]
    enabled: Callable[[FastAPI], bool] = _always  # built either way (tests run passes by hand), started if true
    # "bulk": mass production (a renewal run, a dunning sweep) that runs in the service's bulk worker process
    # (`abono.bulk_worker`, niced) when its bulk lane is separate, so it never shares the event loop and the CPU
    # priority of the process answering webhooks and relaying urgent events (issue 20); in the app otherwise.
    process: Literal["app", "bulk"] = "app"
    # Run once in the process before `build` (e.g. billing's payment providers): the bulk worker process runs no
    # startup hooks of the app (a support mail server must not bind twice), only its own workers' `prepare`.
    prepare: Callable[[FastAPI], Awaitable[None]] | None = None


class PeriodicJob:
    """Runs `run_pass` every `interval_seconds`, and at once on `wake()` or when `clock` (an adjustable test clock)
    moves. `runs` counts finished passes, failed ones included."""

    def __init__(
        self,
        *,
        name: str,
        run_pass: Callable[[], Awaitable[object]],
        interval_seconds: float,
        clock: Clock | None = None,
    ) -> None:
        self.name, self.interval_seconds, self.clock = name, interval_seconds, clock
        self._run_pass = run_pass
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.runs = 0

    def wake(self, *_: object) -> None:
        """Run a pass now (thread-safe: the clock may move from anywhere; nothing happens before `start`)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run_once(self) -> object:
        """One pass, in the caller's task (tests, or a caller that wants it done now)."""
        return await self._run_pass()

    def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        if isinstance(self.clock, AdjustableClock):
            self.clock.on_change(self.wake)
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._run_pass()
            except Exception:
                log.exception("periodic_pass_failed", job=self.name)
            self.runs += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_seconds)


async def drain(
    sessionmaker: async_sessionmaker[AsyncSession], step: Callable[[AsyncSession], Awaitable[int]], *, batch: int
) -> int:
    """Run `step` one transaction at a time until a transaction does less than a full `batch` (a full one may have
    left more behind); how much was done in all."""
    done = 0
    while True:
        async with unit_of_work(sessionmaker) as session:
            count = await step(session)
        done += count
        if count < batch:
            return done

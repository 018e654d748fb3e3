"""#12 item 6: one periodic-job runner (`abono.workers.PeriodicJob`) for every service's scheduler: a pass at start,
one per interval, one at once when woken or when the test clock moves, and a failing pass never stops the loop."""

from datetime import timedelta

from abono.clock import AdjustableClock
from abono.testing import wait_for
from abono.workers import PeriodicJob


async def test_periodic_job_runs_at_start_and_again_when_the_clock_moves() -> None:
    clock = AdjustableClock()
    passes: list[int] = []

    async def run_pass() -> None:
        passes.append(len(passes))

    job = PeriodicJob(name="test-job", run_pass=run_pass, clock=clock, interval_seconds=3600)
    job.start()
    try:
        await wait_for(lambda: job.runs == 1, what="the first pass")
        clock.advance(timedelta(days=1))  # an hour's interval: only the moved clock can explain a second pass
        await wait_for(lambda: job.runs == 2, what="the pass the moved clock asks for")
        job.wake()
        await wait_for(lambda: job.runs == 3, what="the pass wake() asks for")
    finally:
        await job.stop()
    assert passes == [0, 1, 2]


async def test_periodic_job_keeps_going_after_a_failing_pass_and_runs_every_interval() -> None:
    calls = 0

    async def run_pass() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database is away")

    job = PeriodicJob(name="test-job", run_pass=run_pass, interval_seconds=0.01)
    job.start()
    try:
        await wait_for(lambda: job.runs >= 3, what="three passes, the first failing")
    finally:
        await job.stop()
    assert calls >= 3


async def test_run_once_is_one_pass_in_the_callers_task() -> None:
    async def run_pass() -> int:
        return 7

    job = PeriodicJob(name="test-job", run_pass=run_pass, interval_seconds=3600)
    assert await job.run_once() == 7
    assert job.runs == 0  # the loop never started

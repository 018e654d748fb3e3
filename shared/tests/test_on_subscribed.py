"""`ServiceSpec.on_subscribed` (`abono.service.run_when_subscribed`): hooks that emit what another service answers
run only once this process's queues are bound (else the answer may be published before the queue that waits for it
exists, and the broker routes it nowhere: `abono.events.drivers`), in order, a failing one retried until it
succeeds."""

import asyncio

from fastapi import FastAPI

from abono.service import run_when_subscribed


async def test_hooks_wait_for_the_queues_then_run_in_order_and_a_failing_one_is_retried() -> None:
    waiting, bound = asyncio.Event(), asyncio.Event()
    calls: list[str] = []

    async def queues_bound() -> None:
        waiting.set()
        await bound.wait()

    async def ask(app: FastAPI) -> None:
        calls.append("ask")
        if calls.count("ask") == 1:
            raise RuntimeError("the database is away for a moment")

    async def announce(app: FastAPI) -> None:
        calls.append("announce")

    task = asyncio.create_task(run_when_subscribed(FastAPI(), queues_bound, [ask, announce]))
    await asyncio.wait_for(waiting.wait(), timeout=10)  # the task now waits for its queues: no hook ran before
    assert calls == [] and not task.done()
    bound.set()
    await asyncio.wait_for(task, timeout=10)
    assert calls == ["ask", "ask", "announce"]


async def test_a_process_that_runs_no_consumers_runs_its_hooks_at_once() -> None:
    calls: list[str] = []

    async def announce(app: FastAPI) -> None:
        calls.append("announce")

    await asyncio.wait_for(run_when_subscribed(FastAPI(), None, [announce]), timeout=10)
    assert calls == ["announce"]

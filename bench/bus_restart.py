"""`event_bus` (c): restart RabbitMQ once while emitting at a steady rate; every event must end in the sink once."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator

import asyncpg

from bench.bus_harness import NAME, Bus, Plan
from bench.common import BENCH_VHOST, Figure, ScenarioFailed, rabbitmqctl, say


def _start_app_watchdog() -> subprocess.Popen[bytes]:
    """Should this process be killed outright during the outage, this starts the app after 90 s anyway."""
    return subprocess.Popen(
        ["sh", "-c", "sleep 90; rabbitmqctl -q start_app"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@contextlib.asynccontextmanager
async def broker_outage(seconds: float) -> AsyncIterator[None]:
    """`rabbitmqctl stop_app`, hold `seconds`, and ALWAYS `start_app` again (a detached watchdog too, in case we
    are killed outright: start_app on a running node does nothing)."""
    watchdog = _start_app_watchdog()
    say("(c) rabbitmqctl stop_app (the broker is down for everyone on this machine for a few seconds)")
    try:
        stopped = await asyncio.to_thread(rabbitmqctl, "stop_app")
        if stopped.returncode != 0:
            raise ScenarioFailed(f"rabbitmqctl stop_app failed: {stopped.stderr.strip()}")
        await asyncio.sleep(seconds)
        yield
    finally:
        started = await asyncio.shield(asyncio.to_thread(rabbitmqctl, "start_app"))
        await asyncio.shield(asyncio.to_thread(rabbitmqctl, "await_startup"))
        say(f"(c) rabbitmqctl start_app: rc {started.returncode}")
        watchdog.kill()
        watchdog.wait()


async def restart(bus: Bus, plan: Plan) -> list[Figure]:
    count = int(plan.restart_rate * plan.restart_seconds)
    marks: dict[str, float] = {}

    async def outage(run: str, total: int) -> None:
        deadline = time.monotonic() + 60
        while await bus.sink_count(run) < total // 4:  # a quarter through, then pull the plug
            if time.monotonic() > deadline:
                raise ScenarioFailed("(c) no events reached the sink before the restart")
            await asyncio.sleep(0.05)
        async with broker_outage(plan.outage_seconds):
            pass
        marks["back"] = time.time()

    say(f"(c) broker restart: {count} events at {plan.restart_rate:.0f}/s, stop_app during the run")
    outcome = await bus.outbox(
        "restart", count=count, rate=plan.restart_rate, drain_s=60, until_stalled=True, during=outage
    )
    caught_up = max(outcome.commits.values(), default=time.time())
    sink = await asyncpg.connect(bus.sink_db.replace("+asyncpg", ""))
    source = await asyncpg.connect(bus.source_db.replace("+asyncpg", ""))
    try:
        rows, distinct = await sink.fetchrow(
            "SELECT count(*), count(DISTINCT seq) FROM bench_effect WHERE run = 'restart'"
        )
        retried = await source.fetchval("SELECT count(*) FROM outbox WHERE attempts > 0")
    finally:
        await sink.close()
        await source.close()
    dlq = rabbitmqctl("list_queues", "-p", BENCH_VHOST, "name", "messages").stdout
    note = (
        f"{count} emitted at {plan.restart_rate:.0f}/s, broker down {plan.outage_seconds:.0f} s; lost = not "
        f"in the sink once it made no progress for 60 s; "
        f"{retried} outbox rows needed a retry; queues after: {' '.join(dlq.split())}"
    )
    return [
        Figure(
            NAME,
            "restart_events_lost",
            count - distinct,
            "events",
            count,
            0,
            "max",
            note,
            extra={"baseline_is": "events emitted"},
        ),
        Figure(
            NAME,
            "restart_events_applied_twice",
            rows - distinct,
            "events",
            count,
            0,
            "max",
            extra={"baseline_is": "events emitted"},
        ),
        Figure(
            NAME,
            "restart_catch_up_after_start_app",
            caught_up - marks.get("back", caught_up),
            "s",
            plan.outage_seconds,
            note="from start_app done to the last event committed in the sink",
            extra={"baseline_is": "seconds the broker was down"},
        ),
    ]

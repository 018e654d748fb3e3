"""The pieces of the `event_bus` scenario: its plan, and `Bus`, which runs producer/sink/baseline sub-runs."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg

from bench.bus_model import RAW_QUEUE, SINK_QUEUE, BenchPing
from bench.common import AMQP_URL, Child, Children, ScenarioFailed, get_json, say, start_profiler
from bench.options import Options

NAME = "event_bus"
SOURCE_DB, SINK_DB = "abono_bench_bus_source", "abono_bench_bus_sink"
_START_AFTER_S = 4.0  # producers at a rate: their schedule starts this long after they are launched
PAD = 150  # characters of padding: an event of ~320 bytes, like a real one with a few ids and amounts


@dataclass(frozen=True)
class Plan:
    burst: int  # (a) events
    rate: float  # (b) events/s
    seconds: float  # (b) duration
    restart_rate: float  # (c)
    restart_seconds: float
    outage_seconds: float
    drain_s: float  # (a), (b): how long the sink may take after the last emit before we stop waiting


# Restart rates stay below what the sink sustains on this machine, so (c) measures loss, not a backlog.
QUICK = Plan(burst=2_000, rate=1000, seconds=2, restart_rate=100, restart_seconds=6, outage_seconds=1, drain_s=6)
FULL = Plan(burst=20_000, rate=1000, seconds=15, restart_rate=150, restart_seconds=30, outage_seconds=5, drain_s=45)


@dataclass
class Outcome:
    produced: dict[str, Any]  # the producers' record: t_first, t_emitted, commits and due (per seq), cpu_s (each)
    commits: dict[int, float]  # seq → the sink's commit time
    complete: bool


class Bus:
    """The running pieces of one scenario run and the sub-runs over them."""

    def __init__(self, opts: Options, children: Children, urls: dict[str, str], sink: Child, sink_url: str) -> None:
        self.opts, self.children, self.sink, self.sink_url = opts, children, sink, sink_url
        self.source_db, self.sink_db = urls[SOURCE_DB], urls[SINK_DB]
        self.size = len(
            json.dumps(BenchPing(run="latency", seq=10_000, pad="x" * PAD).envelope(), separators=(",", ":"))
        )
        self.tmp = children.log_dir

    async def sink_count(self, run: str) -> int:
        """Events of `run` committed in the sink's database (the truth; the sink's own record can miss a commit
        whose task was cancelled by a lost channel after the database had committed it)."""
        conn = await asyncpg.connect(self.sink_db.replace("+asyncpg", ""))
        try:
            return int(await conn.fetchval("SELECT count(DISTINCT seq) FROM bench_effect WHERE run = $1", run))
        finally:
            await conn.close()

    async def sink_commits(self, run: str) -> dict[int, float]:
        """seq → commit time: the sink's after-commit record, else the row's `applied_at` (just before commit)."""
        recorded = {seq: t for seq, t in await get_json(f"{self.sink_url}/bench/commits?run={run}")}
        conn = await asyncpg.connect(self.sink_db.replace("+asyncpg", ""))
        try:
            rows = await conn.fetch(
                "SELECT seq, min(extract(epoch FROM applied_at))::float8 AS t FROM bench_effect "
                "WHERE run = $1 GROUP BY seq",
                run,
            )
        finally:
            await conn.close()
        return {row["seq"]: recorded.get(row["seq"], row["t"]) for row in rows}

    async def outbox(
        self,
        run: str,
        *,
        count: int,
        rate: float = 0.0,
        drain_s: float = 60.0,
        until_stalled: bool = False,
        profile_seconds: float = 0.0,
        during: Any = None,
        producers: int = 1,
    ) -> Outcome:
        """Emit `count` events (burst, or at `rate`) and wait until the sink committed them all, at most `drain_s`
        after the emission ended (or, `until_stalled`, after the sink last made progress, 600 s at most). Past
        that the producers are stopped and the sink's queue purged (so the backlog does not weigh on the next
        sub-run), and the outcome says it is incomplete. At a rate, `producers` processes of the producing service
        (each with its relay) emit `rate / producers` each, on schedules of their own; their records are merged."""
        names = [f"produce-{run}"] if producers == 1 else [f"produce-{run}-{k}" for k in range(producers)]
        outs = [self.tmp / f"{name}.json" for name in names]
        for out in outs:
            for stale in (out, out.with_name(out.name + ".done")):
                stale.unlink(missing_ok=True)
        shards = ["--shards", str(producers)] if producers > 1 else []
        # At a rate, every producer's first event is due at the same time, once all have started (imports, pools).
        start_at = ["--start-at", f"{time.time() + _START_AFTER_S:.3f}"] if rate else []
        started = [
            self.children.python(
                name,
                [
                    *("-m", "bench.bus_worker", "produce", "--amqp", AMQP_URL, "--db", self.source_db, "--run", run),
                    *("--count", str(count), "--rate", str(rate), "--pad", str(PAD), "--timeout", str(drain_s + 60)),
                    *([*shards, "--shard", str(k)] if shards else []),
                    *start_at,
                    *("--out", str(out)),
                ],
            )
            for k, (name, out) in enumerate(zip(names, outs, strict=True))
        ]
        folder = self.opts.profile if profile_seconds else None
        for producer in started:
            start_profiler(self.children, producer, profile_seconds, folder)
        start_profiler(self.children, self.sink, profile_seconds, folder)
        if during is not None:
            await during(run, count)
        deadline = time.monotonic() + count / max(rate, 1.0) + 30 + drain_s
        cap, last_done, complete = time.monotonic() + 600, -1, True
        while (done := await self.sink_count(run)) < count or any(p.alive() for p in started):
            if until_stalled and done > last_done and time.monotonic() < cap:
                deadline, last_done = max(deadline, time.monotonic() + drain_s), done
            for producer in started:
                if not producer.alive() and producer.proc.returncode != 0:
                    producer.check_alive()
            self.sink.check_alive()
            if all(out.exists() for out in outs) and deadline > time.monotonic() + drain_s:
                deadline = time.monotonic() + drain_s  # emission over: from now on only `drain_s`
            if time.monotonic() > deadline:
                since = "its last progress" if until_stalled else "the last emit"
                say(
                    f"{run}: the sink committed {done} of {count} events, {drain_s:.0f} s after {since}: "
                    "stopping the producers and purging the backlog"
                )
                complete = False
                for producer in started:
                    await producer.stop()
                await reset_queues(purge_only=True)
                break
            await asyncio.sleep(0.1)
        for producer, out in zip(started, outs, strict=True):
            if not out.exists():
                raise ScenarioFailed(f"{run}: {producer.name} wrote no record:\n{producer.tail()}")
        await asyncio.sleep(0.5 if complete else 2.0)  # deliveries in hand finish
        records = [json.loads(out.read_text()) for out in outs]
        return Outcome(merge_records(records), await self.sink_commits(run), complete)

    async def raw(self, run: str, *, count: int, rate: float = 0.0, limit_s: float = 120.0) -> dict[str, Any]:
        """The aio-pika baseline: returns the publisher's first send time and the consumer's record."""
        return await raw_baseline(self.children, run, count=count, size=self.size, rate=rate, limit_s=limit_s)


def merge_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The producers' records as one: per seq, the one process that emitted it (the others hold 0.0 there)."""
    merged = dict(records[0])
    if len(records) > 1:
        merged["t_first"] = min(r["t_first"] for r in records)
        merged["t_emitted"] = max(r["t_emitted"] for r in records)
        for key in ("commits", "due"):
            merged[key] = [max(values) for values in zip(*(r[key] for r in records), strict=True)]
    merged["cpu_s"] = [r["cpu_s"] for r in records]
    return merged


async def raw_baseline(
    children: Children, run: str, *, count: int, size: int, rate: float = 0.0, limit_s: float = 120.0
) -> dict[str, Any]:
    """Raw aio-pika on a quorum queue bound to `abono.events` (persistent, confirms, manual acks), `count` messages
    of `size` bytes: returns the publisher's first send time and the consumer's record."""
    cons_out, pub_out = children.log_dir / f"raw-consume-{run}.json", children.log_dir / f"raw-publish-{run}.json"
    for stale in (cons_out, pub_out):
        stale.unlink(missing_ok=True)
    common = ["--amqp", AMQP_URL, "--count", str(count), "--timeout", str(limit_s + count / max(rate, 1.0))]
    consumer = children.python(
        f"raw-consume-{run}", ["-m", "bench.bus_worker", "raw-consume", *common, "--out", str(cons_out)]
    )
    deadline = time.monotonic() + 30
    while "READY" not in consumer.log_path.read_text(errors="replace"):
        consumer.check_alive()
        if time.monotonic() > deadline:
            raise ScenarioFailed(f"raw consumer not ready:\n{consumer.tail()}")
        await asyncio.sleep(0.05)
    publisher = children.python(
        f"raw-publish-{run}",
        [
            "-m",
            "bench.bus_worker",
            "raw-publish",
            *common,
            "--rate",
            str(rate),
            "--size",
            str(size),
            "--out",
            str(pub_out),
        ],
    )
    for child in (publisher, consumer):
        if await child.wait(limit_s + count / max(rate, 1.0) + 30) != 0:
            raise ScenarioFailed(f"{child.name} failed:\n{child.tail()}")
    return {**json.loads(cons_out.read_text()), **json.loads(pub_out.read_text())}


async def reset_queues(*, purge_only: bool = False) -> None:
    """Leftovers of an interrupted run would be consumed (and counted) again: start from empty queues."""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        if purge_only:
            await (await channel.get_queue(SINK_QUEUE)).purge()
            return
        for queue in (SINK_QUEUE, f"{SINK_QUEUE}.dlq", RAW_QUEUE):
            await channel.queue_delete(queue, if_unused=False, if_empty=False)
    finally:
        await connection.close()

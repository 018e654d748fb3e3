"""The load side of the `event_bus` scenario, one role per process (`python -m bench.bus_worker ROLE ...`):

- `produce`: a producing service: the real `OutboxRelay` and `Broker` plus `emit` in transactions, either a burst
  of batched transactions (throughput) or one event per transaction at a fixed rate (open loop, latency); it
  exits once every outbox row is published, writing the due and commit time of each event to `--out`. At a rate,
  `--shards N --shard K` make it one of N processes of the same service (a web worker each, with its own relay on
  the same outbox): it emits the events K, K+N, K+2N... at rate/N on its own schedule.
- `raw-consume` / `raw-publish`: the baseline, plain aio-pika on a quorum queue bound to the same exchange:
  persistent messages of the same size, publisher confirms with many in flight, manual acks.

Every loop is bounded by a count and a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import aio_pika
import uvloop
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from abono.db import make_engine, make_sessionmaker
from abono.logging import configure_logging
from abono.messaging.broker import EVENTS_EXCHANGE, Broker
from abono.messaging.outbox import emit
from abono.messaging.relay import OutboxRelay
from abono.messaging.tables import messaging_tables
from abono.metrics import ServiceMetrics
from abono.settings import RELAY_POOL_SIZE
from bench.bus_model import RAW_QUEUE, RAW_ROUTING_KEY, SOURCE, BenchPing, source_metadata

_outbox, _ = messaging_tables(source_metadata())
_EMITS_AT_ONCE = 20  # open loop: transactions in progress at most, like a service's concurrent requests
_PENDING = select(func.count()).select_from(_outbox).where(_outbox.c.published_at.is_(None))


def _write(path: str, data: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(data))


async def _open_loop(count: int, rate: float, fire: Any, start_at: float = 0.0) -> None:
    """Start `fire(i, intended_wall_time)` as a task at t0 + i/rate (never waiting for earlier ones); t0 is the wall
    time `start_at` if it is still ahead, else now."""
    loop = asyncio.get_running_loop()
    ahead = max(0.05, start_at - time.time())
    start_mono, start_wall = loop.time() + ahead, time.time() + ahead
    tasks: set[asyncio.Task[None]] = set()
    for i in range(count):
        offset = i / rate
        delay = start_mono + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(i, start_wall + offset))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)


# --- produce (the outbox side) ------------------------------------------------------------------------------------
async def produce(args: argparse.Namespace) -> None:
    configure_logging(SOURCE, level="WARNING")
    # The emitting "requests" get their own pool: when they outrun the database, the relay must not queue behind
    # them for a connection (in a service both share one pool: see the README's notes). As many connections as
    # emits run at once (`_EMITS_AT_ONCE`): a smaller pool opens and closes an overflow connection per emit, a cost
    # of the bench's set-up (a service keeps its pool), not of the bus.
    engine = make_engine(args.db, pool_size=_EMITS_AT_ONCE, max_overflow=0)
    sessionmaker = make_sessionmaker(engine)
    # The relay's pool as a service sizes it (`abono.service`): a smaller one opened and closed an overflow
    # connection whenever the lanes' passes overlapped.
    relay_engine = make_engine(args.db, pool_size=RELAY_POOL_SIZE)
    broker = Broker(args.amqp, name=SOURCE)
    relay = OutboxRelay(
        service=SOURCE, engine=relay_engine, broker=broker, metrics=ServiceMetrics(SOURCE), batch_size=args.relay_batch
    )
    await broker.start()
    await asyncio.wait_for(broker.wait_connected(), 30)
    await relay.start()
    pad = "x" * args.pad
    # Index = seq; this process's events only (the others stay 0.0) when it is one of `--shards`.
    commits: list[float] = [0.0] * args.count
    due: list[float] = [0.0] * args.count
    t_first = time.time()
    cpu_start = time.process_time()
    try:
        if args.rate:
            # Emits beyond the pool wait here, not in the pool's checkout (which gives up after 30 s); their wait
            # still shows as commit lag behind the schedule.
            pool_slots = asyncio.Semaphore(_EMITS_AT_ONCE)
            mine = range(args.shard, args.count, args.shards)

            async def one(i: int, intended: float) -> None:
                seq = mine[i]
                due[seq] = intended
                async with pool_slots, sessionmaker() as session, session.begin():
                    await emit(session, BenchPing(run=args.run, seq=seq, pad=pad))
                commits[seq] = time.time()

            # A running service's pool is open: its connections are opened before the schedule, not by its first
            # emits (20 at once, each ~10 ms of CPU, built a backlog in the first second that the 2 s of quick mode
            # measured); every producer then starts on the same due time (`--start-at`), not while another one
            # is still importing.
            await _warm(engine)
            await asyncio.sleep(max(0.0, args.start_at - time.time() - 0.05))
            t_first, cpu_start = time.time(), time.process_time()  # the schedule's CPU and time, not the warm-up's
            rate = args.rate / args.shards
            schedule = _open_loop(len(mine), rate, one, args.start_at)
            await asyncio.wait_for(schedule, len(mine) / rate + args.timeout + max(0.0, args.start_at - time.time()))
        else:
            for start in range(0, args.count, args.batch):
                seqs = range(start, min(start + args.batch, args.count))
                async with sessionmaker() as session, session.begin():
                    await emit(session, *(BenchPing(run=args.run, seq=seq, pad=pad) for seq in seqs))
                now = time.time()
                for seq in seqs:
                    commits[seq] = now
        t_emitted = time.time()
        # Written before the drain: the orchestrator may stop us if the sink cannot keep up. `cpu_s`: this
        # process's CPU seconds while it emitted (its emits and its relay), to tell whether it kept up.
        record = {"t_first": t_first, "t_emitted": t_emitted, "commits": commits, "due": due}
        _write(args.out, {**record, "cpu_s": time.process_time() - cpu_start})
        deadline = time.monotonic() + args.timeout
        while True:  # until the relay has published (and marked) every row
            async with engine.connect() as conn:
                pending = (await conn.execute(_PENDING)).scalar_one()
            if pending == 0:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{pending} outbox rows still unpublished after {args.timeout} s")
            await asyncio.sleep(0.05)
        _write(args.out + ".done", {"t_published": time.time()})
    finally:
        await relay.stop()
        await broker.stop()
        await engine.dispose()
        await relay_engine.dispose()


async def _warm(engine: AsyncEngine) -> None:
    """Open the pool's connections (as many at once as the emits run) before the schedule starts."""
    async with contextlib.AsyncExitStack() as stack:
        for conn in await asyncio.gather(*(stack.enter_async_context(engine.connect()) for _ in range(_EMITS_AT_ONCE))):
            await conn.exec_driver_sql("SELECT 1")


# --- the raw aio-pika baseline ------------------------------------------------------------------------------------
def _raw_message(body: bytes, seq: int) -> aio_pika.Message:
    # The same properties as abono's Broker.publish_batch.
    return aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(seq),
        type=RAW_ROUTING_KEY,
        app_id="bench",
        headers={},
    )


def _raw_body(seq: int, size: int) -> bytes:
    head = json.dumps({"seq": seq, "t": time.time(), "pad": ""}, separators=(",", ":"))
    return head.replace('"pad":""', '"pad":"' + "x" * max(0, size - len(head)) + '"').encode()


async def raw_consume(args: argparse.Namespace) -> None:
    connection = await aio_pika.connect(args.amqp)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=args.prefetch)
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(RAW_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, RAW_ROUTING_KEY)
        await queue.purge()
        seen: set[int] = set()
        latencies: list[float] = []
        done = asyncio.Event()
        last = [0.0]

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            body = json.loads(message.body)
            await message.ack()
            now = time.time()
            if body["seq"] not in seen:
                seen.add(body["seq"])
                latencies.append(now - body["t"])
                last[0] = now
            if len(seen) >= args.count:
                done.set()

        await queue.consume(on_message)
        print("READY", flush=True)
        with contextlib.suppress(TimeoutError):  # bounded: what arrived by then is the figure
            await asyncio.wait_for(done.wait(), args.timeout)
        _write(args.out, {"t_last": last[0], "latencies": latencies, "received": len(seen)})
        await channel.close()
        cleanup = await connection.channel()
        await cleanup.queue_delete(RAW_QUEUE, if_unused=False, if_empty=False)
    finally:
        await connection.close()


async def raw_publish(args: argparse.Namespace) -> None:
    connection = await aio_pika.connect(args.amqp)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        in_flight = asyncio.Semaphore(args.inflight)

        async def one(seq: int, _intended: float = 0.0) -> None:
            async with in_flight:
                await exchange.publish(_raw_message(_raw_body(seq, args.size), seq), RAW_ROUTING_KEY, timeout=30)

        t_first = time.time()
        if args.rate:
            await asyncio.wait_for(_open_loop(args.count, args.rate, one), args.count / args.rate + args.timeout)
        else:
            await asyncio.wait_for(asyncio.gather(*(one(seq) for seq in range(args.count))), args.timeout)
        _write(args.out, {"t_first": t_first, "t_confirmed": time.time(), "published": args.count})
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bus_worker", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("role", choices=["produce", "raw-consume", "raw-publish"])
    parser.add_argument("--amqp", required=True)
    parser.add_argument("--db", help="produce: the producer's database (SQLAlchemy URL)")
    parser.add_argument("--run", default="run")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--rate", type=float, default=0.0, help="events/s, open loop (0: as fast as possible)")
    parser.add_argument("--shards", type=int, default=1, help="produce at a rate: processes sharing the events")
    parser.add_argument("--shard", type=int, default=0, help="produce at a rate: this one's index, 0..shards-1")
    parser.add_argument("--start-at", type=float, default=0.0, help="produce at a rate: the first due time (epoch s)")
    parser.add_argument("--batch", type=int, default=500, help="produce, burst: events per transaction")
    parser.add_argument("--relay-batch", type=int, default=500)
    parser.add_argument("--pad", type=int, default=0, help="produce: characters of padding in each event")
    parser.add_argument("--size", type=int, default=256, help="raw: body bytes")
    parser.add_argument("--inflight", type=int, default=500, help="raw-publish: unconfirmed messages at most")
    parser.add_argument("--prefetch", type=int, default=200, help="raw-consume: the sink's (CONSUMER_PREFETCH)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if not 0 <= args.shard < args.shards or (args.shards > 1 and not args.rate):
        parser.error("--shards needs --rate, and --shard must be in 0..shards-1")
    role = {"produce": produce, "raw-consume": raw_consume, "raw-publish": raw_publish}[args.role]
    try:
        # The event loop a service runs on (uvicorn[standard], `abono.bulk_worker`), for the producers and the raw
        # baseline alike: on asyncio's own loop a one-row relay pass cost ~15 % more CPU (issue 20 item 2).
        uvloop.run(role(args))
    except (TimeoutError, OSError, aio_pika.exceptions.AMQPException) as exc:
        print(f"{args.role} failed: {exc!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

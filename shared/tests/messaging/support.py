"""Test helpers for the event bus: a test event, an effects table, a TCP proxy to cut connections, and a
`Bus` that builds relays and consumers against the real PostgreSQL and RabbitMQ and cleans up after them.

Run as a script (`python support.py crash-consumer ...`) it is a consumer process that dies right after its
transaction commits, before the ack: the crash the inbox exists for.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import aio_pika
import structlog.testing
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from sqlalchemy import BigInteger, Column, Integer, Table, Text, event, func, insert, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from abono.db import make_sessionmaker, new_metadata
from abono.events import Event, Lane
from abono.events import base as events_base
from abono.messaging import Broker, Consumer, ConsumerRunner, OutboxRelay, emit
from abono.messaging.broker import EVENTS_EXCHANGE
from abono.messaging.tables import messaging_tables
from abono.metrics import ServiceMetrics
from abono.testing import WAIT_WITHIN, free_port, wait_for

metadata = new_metadata()
outbox, inbox = messaging_tables(metadata)
# What handlers do: one row per application of an event. No unique key on purpose, so a double shows.
effects = Table(
    "effects",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("consumer", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("label", Text, nullable=False),
    Column("worker_pid", Integer, nullable=False),
)

POISON = "poison"
CRASH_EXIT_CODE = 17


class Ping(Event):
    """The test event. Each test routes its own subclass (`ping_class`): tests, and test runs sharing the broker,
    never receive each other's pings, nor fill a queue left behind by an aborted run."""

    label: str


def ping_class(scope: str, in_lane: Lane = Lane.STANDARD) -> type[Ping]:
    """The scope's ping of `in_lane` (`test.<scope>.ping`, or `test.<scope>.<lane>_ping` for another lane)."""
    verb = "ping" if in_lane == Lane.STANDARD else f"{in_lane.name.lower()}_ping"

    class ScopedPing(Ping):
        routing_key: ClassVar[str] = f"test.{scope}.{verb}"
        lane: ClassVar[Lane] = in_lane

    return ScopedPing


def unregister(event_type: type[Event]) -> None:
    """Defining an event registers it for the whole process, and the catalog's tests check that every registered
    key is a platform one: take ours out when the test is done."""
    events_base._REGISTRY.pop(event_type.routing_key, None)


def recording_consumer(
    ping: type[Ping], name: str, calls: Counter[str] | None = None, *, also: Sequence[type[Ping]] = ()
) -> Consumer:
    """A consumer whose handler (of `ping` and of the pings in `also`) counts its calls by label, writes an effect
    row, and fails on `POISON`."""
    consumer = Consumer(name)
    seen = calls if calls is not None else Counter()

    async def on_ping(session: AsyncSession, event: Ping) -> None:
        seen[event.label] += 1
        await session.execute(
            insert(effects).values(consumer=name, event_id=event.event_id, label=event.label, worker_pid=os.getpid())
        )
        if event.label == POISON:
            raise RuntimeError("this event always fails")

    for each in (ping, *also):
        consumer.on(each)(on_ping)
    return consumer


class TcpProxy:
    """A loopback TCP proxy that can be cut (listener closed, open connections aborted) and restored."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.BaseTransport] = set()
        self._replies = asyncio.Event()  # cleared: the target's bytes are held back (e.g. publisher confirms)
        self._replies.set()

    def hold_replies(self) -> None:
        self._replies.clear()

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for transport in self._transports:
            transport.abort()
        self._transports.clear()
        self._replies.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._transports |= {writer.transport, up_writer.transport}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer, self._replies))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, gate: asyncio.Event | None = None) -> None:
    try:
        while data := await reader.read(65536):
            if gate is not None:
                await gate.wait()
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.transport.abort()


@contextmanager
def logged() -> Iterator[list[MutableMapping[str, Any]]]:
    """What the code logs meanwhile (structlog's entries): a test waits for a retry it cannot otherwise see."""
    with structlog.testing.capture_logs() as entries:
        yield entries


def times_logged(entries: Sequence[MutableMapping[str, Any]], event_name: str) -> int:
    return sum(1 for entry in entries if entry.get("event") == event_name)


def depth_reached(bus: Bus, queue: str, count: int) -> Callable[[], Awaitable[bool]]:
    """The async check `wait_for` polls: `queue` holds at least `count` messages."""

    async def reached() -> bool:
        return await bus.queue_depth(queue) >= count

    return reached


async def poisoned_backlog(bus: Bus) -> list[str]:
    """60 events, the 26th a poison, published and waiting together in `<service>.orders` (declared by a consumer
    that stopped at once), so the next consumer takes them in shared transactions. Returns their labels."""
    first = await bus.runner([bus.consumer("orders")], await bus.broker(), delivery_limit=1)
    await first.stop()
    labels = [f"e{i}" for i in range(60)]
    labels[25] = POISON
    await bus.emit(*(bus.Ping(label=label) for label in labels))
    await bus.relay(await bus.broker()).publish_pending()
    await wait_for(depth_reached(bus, f"{bus.service}.orders", len(labels)), what="the events in the queue")
    return labels


def holds(predicate: Callable[[], object]) -> Callable[[], Awaitable[bool]]:
    """`predicate` as the async check `wait_for` polls."""

    async def check() -> bool:
        return bool(predicate())

    return check


class Tap:
    """An exclusive queue on `abono.events` that records every message for a routing key, duplicates too."""

    def __init__(self) -> None:
        self.messages: list[AbstractIncomingMessage] = []

    @property
    def message_ids(self) -> list[str]:
        return [m.message_id or "" for m in self.messages]

    async def attach(self, channel: AbstractChannel, *routing_keys: str) -> Tap:
        """One queue for all `routing_keys`: the order of `messages` is the order the broker routed them in."""
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for routing_key in routing_keys:
            await queue.bind(EVENTS_EXCHANGE, routing_key=routing_key)

        async def record(message: AbstractIncomingMessage) -> None:
            self.messages.append(message)

        await queue.consume(record, no_ack=True)
        return self

    async def wait(self, count: int, *, within: float = WAIT_WITHIN) -> None:
        async def enough() -> bool:
            return len(self.messages) >= count

        await wait_for(enough, within=within, what=f"{count} messages on the tap")


class Bus:
    """One test's view of the bus: its own service name (so its own queues), relays, runners, cleanup."""

    def __init__(self, engine: AsyncEngine, amqp_url: str, channel: AbstractChannel) -> None:
        self.engine = engine
        self.sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
        self.amqp_url = amqp_url
        self.channel = channel
        self.service = f"t{uuid.uuid4().hex[:10]}"
        self.Ping = ping_class(self.service)
        self._pings: list[type[Ping]] = [self.Ping]
        self.metrics = ServiceMetrics(self.service)
        self.queues: set[str] = set()  # deleted by close(), with their dead-letter queues
        self._brokers: list[Broker] = []
        self._relays: list[OutboxRelay] = []
        self._runners: list[ConsumerRunner] = []

    async def broker(self, url: str | None = None, **options: Any) -> Broker:
        options = {"reconnect_min_delay": 0.1, "reconnect_max_delay": 0.5, **options}
        broker = Broker(url or self.amqp_url, name=self.service, **options)
        self._brokers.append(broker)
        await broker.start()
        if url is None:
            await asyncio.wait_for(broker.wait_connected(), 10)
        return broker

    def relay(self, broker: Broker, **options: Any) -> OutboxRelay:
        options = {"sweep_seconds": 60.0, "batch_size": 100, **options}
        relay = OutboxRelay(service=self.service, engine=self.engine, broker=broker, metrics=self.metrics, **options)
        self._relays.append(relay)
        return relay

    async def runner(
        self,
        consumers: Sequence[Consumer],
        broker: Broker,
        *,
        sessionmaker: Any = None,
        **options: Any,
    ) -> ConsumerRunner:
        options = {"delivery_limit": 3, "prefetch": 20, "retry_delay": 0.05, **options}
        runner = ConsumerRunner(
            service=self.service,
            consumers=consumers,
            sessionmaker=sessionmaker or self.sessionmaker,
            broker=broker,
            metrics=self.metrics,
            **options,
        )
        self._runners.append(runner)
        self.queues.update(runner.queues)
        await runner.start()
        await asyncio.wait_for(runner.wait_consuming(), 10)
        return runner

    def ping(self, lane: Lane) -> type[Ping]:
        """This test's ping of another lane (unregistered by `close`)."""
        ping = ping_class(self.service, lane)
        self._pings.append(ping)
        return ping

    def consumer(self, name: str, calls: Counter[str] | None = None, *, also: Sequence[type[Ping]] = ()) -> Consumer:
        return recording_consumer(self.Ping, name, calls, also=also)

    async def tap(self, *pings: type[Ping]) -> Tap:
        keys = [ping.routing_key for ping in pings or (self.Ping,)]
        return await Tap().attach(self.channel, *keys)

    async def emit(self, *events: Event) -> None:
        async with self.sessionmaker() as session, session.begin():
            await emit(session, *events)

    async def effect_labels(self) -> list[str]:
        async with self.engine.connect() as conn:
            return list((await conn.scalars(select(effects.c.label).order_by(effects.c.id))).all())

    async def inbox_count(self, event_id: uuid.UUID) -> int:
        async with self.engine.connect() as conn:
            query = select(func.count()).select_from(inbox).where(inbox.c.event_id == event_id)
            return int((await conn.execute(query)).scalar_one())

    async def pending_event_ids(self) -> list[uuid.UUID]:
        async with self.engine.connect() as conn:
            query = select(outbox.c.event_id).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id)
            return list((await conn.scalars(query)).all())

    async def nothing_pending(self) -> bool:
        return await self.pending_event_ids() == []

    async def outbox_attempts(self, event_id: uuid.UUID) -> tuple[int, str]:
        """The row's attempt count and the class name its last error starts with."""
        async with self.engine.connect() as conn:
            query = select(outbox.c.attempts, outbox.c.last_error).where(outbox.c.event_id == event_id)
            attempts, error = (await conn.execute(query)).one()
            return attempts, (error or "").split("(")[0]

    def consumed(self, consumer: str, outcome: str) -> float:
        labels = {"consumer": f"{self.service}.{consumer}", "routing_key": self.Ping.routing_key, "outcome": outcome}
        value = self.metrics.registry.get_sample_value(f"{self.metrics.prefix}_events_consumed_total", labels)
        return value or 0.0

    async def queue_depth(self, name: str) -> int:
        queue = await self.channel.declare_queue(name, passive=True)
        return int(queue.declaration_result.message_count or 0)

    async def publish_raw(self, body: bytes) -> None:
        exchange = await self.channel.get_exchange(EVENTS_EXCHANGE)
        message = aio_pika.Message(body, message_id=uuid.uuid4().hex)
        await exchange.publish(message, self.Ping.routing_key, mandatory=False)

    async def close(self) -> None:
        """Stop everything this test started and delete its queues (idempotent)."""
        runners, self._runners = self._runners, []
        relays, self._relays = self._relays, []
        brokers, self._brokers = self._brokers, []
        for runner in runners:
            await runner.stop()
        for relay in relays:
            await relay.stop()
        for broker in brokers:
            await broker.stop()
        for queue in self.queues:
            for name in (queue, f"{queue}.dlq"):
                await self.channel.queue_delete(name, if_unused=False, if_empty=False)
        self.queues.clear()
        for ping in self._pings:
            unregister(ping)


async def _crash_consumer(db_url: str, amqp_url: str, service: str, consumer: str, delivery_limit: str) -> None:
    """Consume like a service, but die the moment a transaction commits: the effect is in, the ack never goes."""
    engine = create_async_engine(db_url)
    event.listen(Session, "after_commit", lambda _session: os._exit(CRASH_EXIT_CODE))
    broker = Broker(amqp_url, name=service)
    await broker.start()
    runner = ConsumerRunner(
        service=service,
        consumers=[recording_consumer(ping_class(service), consumer)],
        sessionmaker=make_sessionmaker(engine),
        broker=broker,
        metrics=ServiceMetrics(service),
        delivery_limit=int(delivery_limit),
    )
    await runner.start()
    await asyncio.wait_for(runner.wait_consuming(), 15)
    print("consuming", flush=True)
    await asyncio.sleep(30)  # the test kills us sooner, or the first commit does


if __name__ == "__main__":
    if sys.argv[1] == "crash-consumer":
        asyncio.run(_crash_consumer(*sys.argv[2:]))

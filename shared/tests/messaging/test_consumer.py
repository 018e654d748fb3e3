"""Consumers: an event's effects apply once even when the consumer dies before acking; a failing event ends in
the dead-letter queue after the delivery limit while the others flow; an unreadable message goes there at once;
a database outage does not spend deliveries."""

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select, text

from abono.db import make_engine, make_sessionmaker
from abono.testing import AMQP_URL, PG_ADMIN_DSN, wait_for

from . import support
from .support import POISON, Bus, TcpProxy, depth_reached, effects, holds, logged, poisoned_backlog, times_logged

PG_PORT = urlsplit(PG_ADMIN_DSN).port or 5432
AMQP_PORT = urlsplit(AMQP_URL).port or 5672


async def test_consumer_killed_after_commit_before_ack_does_not_apply_twice(bus: Bus) -> None:
    broker = await bus.broker()
    bus.queues.add(f"{bus.service}.orders")  # declared by the subprocess, deleted by the test's clean-up
    db_url = bus.engine.url.render_as_string(hide_password=False)
    crashing = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(support.__file__)), "crash-consumer", db_url, bus.amqp_url, bus.service, "orders",
        "3", stdout=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(_line(crashing, "consuming"), 20)
        event = bus.Ping(label="once")
        await bus.emit(event)
        await bus.relay(broker).publish_pending()
        assert await asyncio.wait_for(crashing.wait(), 10) == support.CRASH_EXIT_CODE
    finally:
        if crashing.returncode is None:
            crashing.kill()
            await crashing.wait()
    # The crashed process committed its effect and inbox row; the message was never acked.
    assert await _effect_pids(bus) == [crashing.pid]
    await wait_for(depth_reached(bus, f"{bus.service}.orders", 1), what="the unacked message back in the queue")

    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls)], broker)
    await wait_for(holds(lambda: bus.consumed("orders", "duplicate") == 1), what="the redelivery")

    assert calls == Counter()  # the handler never ran again
    assert await _effect_pids(bus) == [crashing.pid]
    assert await bus.inbox_count(event.event_id) == 1
    assert await bus.queue_depth(f"{bus.service}.orders") == 0


async def test_poison_message_goes_to_dead_letter_queue_while_others_flow(bus: Bus) -> None:
    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls)], await bus.broker(), delivery_limit=2)
    poison = bus.Ping(label=POISON)
    await bus.emit(bus.Ping(label="before"), poison, bus.Ping(label="after"))
    await bus.relay(await bus.broker()).publish_pending()

    dlq = f"{bus.service}.orders.dlq"
    await wait_for(depth_reached(bus, dlq, 1), what="the poison message in the dead-letter queue")

    # The first delivery and `delivery_limit` more (a delivery applied with others runs it twice: see the docstring
    # of abono.messaging.consumer); the others' effects are committed once.
    assert set(calls) == {"before", POISON, "after"} and calls[POISON] >= 3
    assert sorted(await bus.effect_labels()) == ["after", "before"]
    dead = await (await bus.channel.get_queue(dlq)).get(fail=False)
    assert dead is not None
    await dead.ack()
    assert dead.message_id == str(poison.event_id)
    assert json.loads(dead.body)["label"] == POISON
    death = dead.headers["x-death"][0]
    assert (death["reason"], death["routing-keys"]) == ("delivery_limit", [bus.Ping.routing_key])
    assert (bus.consumed("orders", "failed"), bus.consumed("orders", "dead_lettered")) == (2, 1)
    assert await bus.queue_depth(f"{bus.service}.orders") == 0


async def test_unreadable_message_goes_to_dead_letter_queue_without_retries(bus: Bus) -> None:
    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls)], await bus.broker())

    await bus.publish_raw(b"not json")
    await bus.publish_raw(json.dumps({"type": bus.Ping.routing_key, "version": 1}).encode())  # no label

    await wait_for(depth_reached(bus, f"{bus.service}.orders.dlq", 2), what="both in the dead-letter queue")
    assert calls == Counter()
    assert bus.consumed("orders", "rejected") == 2


async def test_consumer_resumes_after_its_broker_connection_returns(bus: Bus) -> None:
    proxy = await TcpProxy(AMQP_PORT).start()
    consumer_broker = await bus.broker(bus.amqp_url.replace(f":{AMQP_PORT}/", f":{proxy.port}/"))
    calls: Counter[str] = Counter()
    runner = await bus.runner([bus.consumer("orders", calls)], consumer_broker)
    await proxy.cut()
    await wait_for(holds(lambda: not runner.is_consuming), what="the consumer to notice the cut")

    await bus.emit(bus.Ping(label="while away"))
    await bus.relay(await bus.broker()).publish_pending()  # waits in the durable queue
    await proxy.start()

    await wait_for(holds(lambda: calls["while away"] == 1), what="the consumer to resume")

    async def committed() -> bool:  # the handler ran; its transaction commits just after
        return await bus.effect_labels() == ["while away"]

    await wait_for(committed, what="the effect committed once")
    assert calls["while away"] == 1


async def test_database_outage_does_not_spend_deliveries(bus: Bus) -> None:
    proxy = await TcpProxy(PG_PORT).start()
    proxied = make_engine(bus.engine.url.set(port=proxy.port).render_as_string(hide_password=False))
    calls: Counter[str] = Counter()
    try:
        await bus.runner([bus.consumer("orders", calls)], await bus.broker(),
                         sessionmaker=make_sessionmaker(proxied), delivery_limit=1)
        await proxy.cut()
        with logged() as entries:
            await bus.emit(bus.Ping(label="waits for the database"))
            await bus.relay(await bus.broker()).publish_pending()
            # Three attempts on the unreachable database: through the queue, delivery_limit=1 would have
            # dead-lettered it at the second.
            await wait_for(holds(lambda: times_logged(entries, "event_database_unreachable") >= 3),
                           what="the consumer to try again while the database is away")
        assert await bus.queue_depth(f"{bus.service}.orders.dlq") == 0

        await proxy.start()
        await wait_for(holds(lambda: bus.consumed("orders", "processed") == 1), what="the event applied")
        assert await bus.effect_labels() == ["waits for the database"]
        assert calls == Counter({"waits for the database": 1})
    finally:
        await bus.close()  # before the engine goes away
        await proxied.dispose()


async def _line(process: asyncio.subprocess.Process, expected: str) -> None:
    assert process.stdout is not None
    while (line := await process.stdout.readline()) and line.decode().strip() != expected:
        pass
    if not line:
        raise AssertionError(f"the process ended before printing {expected!r}")


async def _effect_pids(bus: Bus) -> list[int]:
    async with bus.engine.connect() as conn:
        return list((await conn.scalars(select(effects.c.worker_pid))).all())





async def test_deliveries_waiting_together_are_applied_in_shared_transactions_each_once(bus: Bus) -> None:
    """Under load one commit serves many deliveries; a failing handler among them is rolled back alone (its
    savepoint and inbox row) and retried through the queue, the others are applied once (their handlers may have
    run in the transaction that was rolled back for the failure, never committed twice)."""
    labels = await poisoned_backlog(bus)

    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls)], await bus.broker(), delivery_limit=1, prefetch=50)
    await wait_for(depth_reached(bus, f"{bus.service}.orders.dlq", 1), what="the poison message dead-lettered")
    await wait_for(holds(lambda: bus.consumed("orders", "processed") == len(labels) - 1),
                   what="the others applied")

    assert set(calls) == set(labels) and calls[POISON] >= 2  # the first delivery and `delivery_limit` more
    assert sorted(await bus.effect_labels()) == sorted(label for label in labels if label != POISON)
    async with bus.engine.connect() as conn:
        transactions = (await conn.execute(text(
            "SELECT count(DISTINCT processed_at), count(*) FROM inbox WHERE consumer = :queue"),
            {"queue": f"{bus.service}.orders"})).one()
    assert transactions[1] == len(labels) - 1  # no inbox row for the poison message
    assert transactions[0] < transactions[1]  # processed_at is the transaction's start: they were shared
    assert await bus.queue_depth(f"{bus.service}.orders") == 0

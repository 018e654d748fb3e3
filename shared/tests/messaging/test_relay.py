"""The outbox relay: only committed events are published, none is lost while the broker is away, several
relays never publish one row twice, and a commit wakes the relay at once (after commit in its own process, by
NOTIFY from others)."""

import asyncio
import json
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import asyncpg
import pytest
from sqlalchemy import text

from abono.db import asyncpg_dsn
from abono.events.base import Lane
from abono.messaging import emit, wake
from abono.messaging import outbox as outbox_module
from abono.messaging.tables import OUTBOX_CHANNEL
from abono.testing import AMQP_URL, wait_for

from .support import Bus, Ping, TcpProxy, holds, logged, times_logged

AMQP_PORT = urlsplit(AMQP_URL).port or 5672
# Half the relays' 60 s sweep in these tests: a copy that arrives by then was woken by the commit, not swept.
WOKEN_WITHIN = 30.0


async def test_event_emitted_in_rolled_back_transaction_is_never_published(bus: Bus) -> None:
    tap = await bus.tap()
    rolled_back, committed = bus.Ping(label="rolled back"), bus.Ping(label="committed")

    with pytest.raises(RuntimeError):
        async with bus.sessionmaker() as session, session.begin():
            await emit(session, rolled_back)
            raise RuntimeError("the unit of work fails after emitting")
    await bus.emit(committed)
    relay = bus.relay(await bus.broker())

    assert await relay.publish_pending() == 1
    # A marker published after it: the queue is FIFO, so once the marker is in, a wrong second message published
    # before it would be in too (no guessed sleep).
    marker = bus.Ping(label="marker")
    await bus.emit(marker)
    assert await relay.publish_pending() == 1
    await tap.wait(2)
    assert tap.message_ids == [str(committed.event_id), str(marker.event_id)]
    assert await bus.pending_event_ids() == []


async def test_event_emitted_while_broker_unreachable_is_published_when_it_returns(bus: Bus) -> None:
    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls)], await bus.broker())
    proxy = await TcpProxy(AMQP_PORT).start()
    relay_broker = await bus.broker(bus.amqp_url.replace(f":{AMQP_PORT}/", f":{proxy.port}/"))
    await asyncio.wait_for(relay_broker.wait_connected(), 10)
    relay = bus.relay(relay_broker, sweep_seconds=0.2)  # sweeping often: it must still not lose or double
    await relay.start()

    await proxy.cut()
    await wait_for(holds(lambda: not relay_broker.is_connected), what="the relay's broker to notice")
    event = bus.Ping(label="during outage")
    with logged() as entries:
        await bus.emit(event)
        # Several reconnect attempts (and sweeps, every 0.2 s) while RabbitMQ is unreachable.
        await wait_for(holds(lambda: times_logged(entries, "broker_connect_failed") >= 3),
                       what="several reconnect attempts")
    assert await bus.effect_labels() == []
    assert await bus.pending_event_ids() == [event.event_id]

    await proxy.start()
    await wait_for(holds(lambda: calls["during outage"] == 1), what="the event to be consumed")
    await wait_for(bus.nothing_pending, what="the row marked published")
    # A marker published after it: the queue is FIFO and nothing is pending any more, so once the marker is
    # consumed, a duplicate of the event would have been too (no guessed sleep).
    await bus.emit(bus.Ping(label="marker"))
    # Its effect committed (the handler counts its call before the commit: reading effects then could miss it).
    await wait_for(_marker_committed(bus), what="the marker to be consumed")
    del calls["marker"]
    assert calls == Counter({"during outage": 1})
    assert await bus.effect_labels() == ["during outage", "marker"]
    assert await bus.pending_event_ids() == []
    assert bus.consumed("orders", "duplicate") == 0


async def test_publish_whose_confirm_is_lost_is_published_again_and_applied_once(bus: Bus) -> None:
    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls)], await bus.broker())
    proxy = await TcpProxy(AMQP_PORT).start()
    relay_broker = await bus.broker(bus.amqp_url.replace(f":{AMQP_PORT}/", f":{proxy.port}/"), publish_timeout=0.3)
    await asyncio.wait_for(relay_broker.wait_connected(), 10)
    relay = bus.relay(relay_broker, sweep_seconds=0.2)

    proxy.hold_replies()  # RabbitMQ gets the message and routes it, but its confirm never reaches the relay
    event = bus.Ping(label="confirm lost")
    await bus.emit(event)
    await relay.start()
    await wait_for(holds(lambda: calls["confirm lost"] == 1), what="the first copy to be consumed")
    # The relay's publish times out: it records the failed attempt, and the row stays pending.
    async def attempt_recorded() -> bool:
        return (await bus.outbox_attempts(event.event_id))[0] >= 1

    await wait_for(attempt_recorded, what="the failed attempt recorded")
    assert await bus.pending_event_ids() == [event.event_id]

    await proxy.cut()  # the relay reconnects and publishes the row again
    await proxy.start()
    await wait_for(holds(lambda: bus.consumed("orders", "duplicate") >= 1), what="the second copy")
    # The row is marked after the second publish's confirm: the consumer may see the copy before that commit.
    async def marked_published() -> bool:
        return await bus.pending_event_ids() == []

    await wait_for(marked_published, what="the row marked published")
    assert calls == Counter({"confirm lost": 1})
    assert await bus.effect_labels() == ["confirm lost"]


async def test_several_relays_draining_one_outbox_publish_each_event_exactly_once(bus: Bus) -> None:
    tap = await bus.tap()
    events = [bus.Ping(label=f"n{i}") for i in range(400)]
    await bus.emit(*events)
    # Replicas: each relay on its own broker connection, all claiming from the same outbox at once.
    relays = [bus.relay(await bus.broker(), batch_size=25) for _ in range(4)]

    published = await asyncio.gather(*(relay.publish_pending() for relay in relays))

    assert sum(published) == len(events)
    assert sum(1 for count in published if count) >= 2, published  # they really did share the work
    # A marker published after every relay returned: the queue is FIFO, so once the marker is in, any duplicate
    # published before it is in too (no guessed sleep).
    marker = bus.Ping(label="marker")
    await bus.emit(marker)
    assert await relays[0].publish_pending() == 1
    await tap.wait(len(events) + 1)
    assert tap.message_ids[-1] == str(marker.event_id)
    assert sorted(tap.message_ids[:-1]) == sorted(str(e.event_id) for e in events)
    assert await bus.pending_event_ids() == []


async def test_commit_wakes_the_relay_of_its_own_process_without_notify(bus: Bus) -> None:
    """NOTIFY serialises commits cluster-wide: with a relay in the process, `emit` wakes it after commit instead."""
    tap = await bus.tap()
    relay = bus.relay(await bus.broker(), sweep_seconds=60)
    await relay.start()
    await bus.emit(bus.Ping(label="warm-up"))
    await tap.wait(1)  # the relay is now idle, in its 60 s wait
    notified: list[str] = []
    listener = await asyncpg.connect(asyncpg_dsn(bus.engine.url.render_as_string(hide_password=False)))
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: notified.append(args[-1]))
    try:
        started = time.monotonic()
        await bus.emit(bus.Ping(label="woken"))
        await tap.wait(2, within=WOKEN_WITHIN)
        await listener.execute("SELECT 1")  # a notification sent at that commit has reached us by now
    finally:
        await listener.close()

    assert time.monotonic() - started < WOKEN_WITHIN
    assert [json.loads(m.body)["label"] for m in tap.messages] == ["warm-up", "woken"]
    assert notified == []


async def test_event_emitted_in_a_savepoint_wakes_the_relay_at_the_root_commit(bus: Bus) -> None:
    """SQLAlchemy dispatches after_commit when a savepoint is released too: a wake-up then would find nothing
    committed, and the event would wait for the sweep."""
    tap = await bus.tap()
    relay = bus.relay(await bus.broker(), sweep_seconds=60)
    await relay.start()
    await bus.emit(bus.Ping(label="warm-up"))
    await tap.wait(1)

    # Beside the relay, an observer of the same wake-ups (`emit` calls them synchronously after the commit).
    woken = asyncio.Event()
    key = wake.database_key(bus.engine.url)
    observer = wake.register(key, woken, wake.outbox_channel(Lane.STANDARD))
    try:
        async with bus.sessionmaker() as session, session.begin():
            async with session.begin_nested():
                await emit(session, bus.Ping(label="in a savepoint"))
            assert not woken.is_set()  # released, not committed: no wake-up (a relay woken now finds nothing)
        assert woken.is_set()  # the root commit woke them
    finally:
        wake.unregister(key, observer, wake.outbox_channel(Lane.STANDARD))
    started = time.monotonic()
    await tap.wait(2, within=WOKEN_WITHIN)

    assert time.monotonic() - started < WOKEN_WITHIN


async def test_commit_in_a_process_without_relay_wakes_the_relay_through_notify(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    tap = await bus.tap()
    relay = bus.relay(await bus.broker(), sweep_seconds=60)
    await relay.start()
    await bus.emit(bus.Ping(label="warm-up"))
    await tap.wait(1)

    started = time.monotonic()
    await _emit_from_another_process(bus, monkeypatch, bus.Ping(label="notified"))
    await tap.wait(2, within=WOKEN_WITHIN)

    assert time.monotonic() - started < WOKEN_WITHIN


async def test_urgent_event_from_a_bulk_worker_wakes_the_apps_relay_through_notify(bus: Bus) -> None:
    """Issue 20: a process that relays only the bulk lane (a service's bulk worker, where billing's scheduler charges
    auto-pay cards and decides suspensions) wakes the relay of the lanes it does not run by NOTIFY at commit: an
    urgent `InvoicePaid` from there is published at once by the app, not at its next sweep. A bulk row from a process
    that relays the other lanes (the app) waits for the bulk worker's sweep: no NOTIFY, which costs group commit."""
    urgent, bulk = bus.ping(Lane.URGENT), bus.ping(Lane.BULK)
    listener = await asyncpg.connect(asyncpg_dsn(bus.engine.url.render_as_string(hide_password=False)))
    notified: list[str] = []
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: notified.append(args[3]))
    bulk_relay = bus.relay(await bus.broker(), sweep_seconds=60, lanes=(Lane.BULK,))
    await bulk_relay.start()
    try:
        await bus.emit(bulk(label="bulk, from the bulk worker"))  # its own loop, woken in process
        await bus.emit(urgent(label="urgent, from the bulk worker"))
        await wait_for(lambda: len(notified) == 1, what="one NOTIFY, for the urgent row only")
    finally:
        await bulk_relay.stop()

    app_relay = bus.relay(await bus.broker(), sweep_seconds=60, lanes=(Lane.URGENT, Lane.STANDARD))
    await app_relay.start()
    try:
        await bus.emit(urgent(label="urgent, from the app"))
        await bus.emit(bulk(label="bulk, from the app"))
        await wait_for(_published(bus, "urgent, from the app"), what="the app's urgent row published")
        assert len(notified) == 1  # neither the app's urgent row (its loop is here) nor its bulk one (the sweep's)
    finally:
        await app_relay.stop()
        await listener.close()


async def test_a_transaction_notifies_once_however_many_events_it_emits(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dunning chunk in the bulk worker emits a `SuspensionDecided` an invoice, thousands a transaction: one NOTIFY
    wakes the other processes' relays for all of them (each is a statement, a round trip)."""
    sent: list[str] = []
    real_execute = outbox_module._execute
    monkeypatch.setattr(outbox_module, "_execute",
                        lambda connection, statement, params: (sent.append(statement), real_execute(
                            connection, statement, params))[1])
    urgent = bus.ping(Lane.URGENT)
    async with bus.sessionmaker() as session, session.begin():  # no relay in this process: every lane notifies
        for n in range(3):
            await emit(session, urgent(label=f"decision {n}"))
    async with bus.sessionmaker() as session, session.begin():
        await emit(session, urgent(label="the next transaction"))

    assert sum(statement.startswith("NOTIFY") for statement in sent) == 2


def _published(bus: Bus, label: str):  # type: ignore[no-untyped-def]
    async def published() -> bool:
        async with bus.engine.connect() as conn:
            query = text("SELECT published_at IS NOT NULL FROM outbox WHERE payload->>'label' = :label")
            return bool((await conn.execute(query, {"label": label})).scalar())

    return published


async def test_relay_listens_again_after_its_database_connection_is_killed(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    tap = await bus.tap()
    relay = bus.relay(await bus.broker(), sweep_seconds=60)
    await relay.start()
    killed = await _kill_listener(bus, previous=None)
    await wait_for(_listener_other_than(bus, killed), what="the relay to LISTEN again")

    started = time.monotonic()
    await _emit_from_another_process(bus, monkeypatch, bus.Ping(label="after the kill"))
    await tap.wait(1, within=WOKEN_WITHIN)

    assert time.monotonic() - started < WOKEN_WITHIN


async def _emit_from_another_process(bus: Bus, monkeypatch: pytest.MonkeyPatch, event: Ping) -> None:
    """`emit` as a process with no relay of its own does it (a CLI, a replica whose relay is stopped)."""
    with monkeypatch.context() as patch:
        patch.setattr(outbox_module, "local_relays", lambda _key, _lane: [])
        await bus.emit(event)


async def _listener_pid(bus: Bus) -> int | None:
    async with bus.engine.connect() as conn:
        query = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
        return (await conn.execute(query)).scalar()


async def _kill_listener(bus: Bus, previous: int | None) -> int:
    await wait_for(_listener_other_than(bus, previous), what="the relay to LISTEN")
    pid = await _listener_pid(bus)
    assert pid is not None
    async with bus.engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return pid


def _listener_other_than(bus: Bus, pid: int | None):  # type: ignore[no-untyped-def]
    async def listening() -> bool:
        current = await _listener_pid(bus)
        return current is not None and current != pid

    return listening


async def test_relay_records_attempts_and_keeps_rows_pending_while_publishing_fails(bus: Bus) -> None:
    broker = await bus.broker()
    relay = bus.relay(broker)
    event = bus.Ping(label="unlucky")
    await bus.emit(event)
    await broker.stop()  # is_connected is now False: every publish fails at once

    with pytest.raises(Exception, match="not confirmed"):
        await relay.publish_pending()

    assert await bus.pending_event_ids() == [event.event_id]
    assert await bus.outbox_attempts(event.event_id) == (1, "BrokerUnavailable")


async def test_published_rows_past_retention_are_purged_and_pending_ones_kept(bus: Bus) -> None:
    old, recent, pending = bus.Ping(label="old"), bus.Ping(label="recent"), bus.Ping(label="pending")
    await bus.emit(old, recent, pending)
    async with bus.engine.begin() as conn:
        for event, published_at in ((old, "now() - interval '8 days'"), (recent, "now() - interval '1 day'")):
            await conn.execute(text(f"UPDATE outbox SET published_at = {published_at} WHERE event_id = :id"),
                               {"id": event.event_id})
    relay = bus.relay(await bus.broker(), retention=timedelta(days=7))

    assert await relay.purge_published() == 1

    async with bus.engine.connect() as conn:
        left = set((await conn.scalars(text("SELECT event_id FROM outbox"))).all())
    assert left == {recent.event_id, pending.event_id}


def _marker_committed(bus: Bus):  # type: ignore[no-untyped-def]
    async def committed() -> bool:
        return "marker" in await bus.effect_labels()

    return committed


async def test_batches_in_flight_together_still_publish_in_id_order_and_mark_every_row(bus: Bus) -> None:
    """The relay claims the next batch while the one before waits for its confirms (#20 item 2): small batches,
    so thirty of them overlap, and the broker still routes every message once, in the order of the outbox ids."""
    tap = await bus.tap()
    pings = [bus.Ping(label=f"p{i}") for i in range(300)]
    for start in range(0, len(pings), 100):
        await bus.emit(*pings[start : start + 100])
    relay = bus.relay(await bus.broker(), batch_size=10)

    assert await relay.publish_pending() == len(pings)

    await tap.wait(len(pings))
    assert tap.message_ids == [str(ping.event_id) for ping in pings]
    assert await bus.pending_event_ids() == []

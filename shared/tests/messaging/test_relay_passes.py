"""How the relay's passes follow commits (issue 20 item 2): a commit wakes only the loops of the lanes it wrote, and a
row committed while a pass waits for the broker's confirm is claimed and sent at once, not after that confirm."""

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

from abono.events import Lane
from abono.messaging import emit, wake
from abono.messaging.outbox import emit_written
from abono.testing import AMQP_URL, wait_for

from .support import Bus, TcpProxy, holds

AMQP_PORT = urlsplit(AMQP_URL).port or 5672


async def test_a_commit_wakes_only_the_relay_loops_of_the_lanes_it_wrote(bus: Bus) -> None:
    """Woken for every commit, the urgent and bulk loops ran an empty pass (BEGIN, a claim, COMMIT) for each
    standard event."""
    key = wake.database_key(bus.engine.url)
    woken = {lane: asyncio.Event() for lane in Lane}
    observers = [wake.register(key, flag, lane) for lane, flag in woken.items()]  # as a relay registers its loops

    def woken_lanes() -> set[Lane]:
        lanes = {lane for lane, flag in woken.items() if flag.is_set()}
        for flag in woken.values():
            flag.clear()
        return lanes

    try:
        await bus.emit(bus.ping(Lane.URGENT)(label="urgent"))
        assert woken_lanes() == {Lane.URGENT}  # the wake-ups run in the commit's after_commit
        async with bus.sessionmaker() as session, session.begin():
            await emit(session, bus.Ping(label="standard"))
            await emit(session, bus.ping(Lane.BULK)(label="bulk"))
        assert woken_lanes() == {Lane.STANDARD, Lane.BULK}
        async with bus.sessionmaker() as session, session.begin():
            await emit_written(session)  # rows written by the caller, lanes not said: every loop
        assert woken_lanes() == set(Lane)
        async with bus.sessionmaker() as session, session.begin():
            await emit_written(session, {Lane.BULK})
        assert woken_lanes() == {Lane.BULK}
    finally:
        for observer in observers:
            wake.unregister(key, observer)


async def test_a_row_committed_while_a_pass_waits_for_its_confirm_is_sent_before_that_confirm(bus: Bus) -> None:
    """At one event per transaction, claiming again only after the pass's confirm and its marks' commit put a whole
    pass between a commit and its claim. Still in commit order on the channel, each row marked once confirmed."""
    tap = await bus.tap()
    proxy = await TcpProxy(AMQP_PORT).start()
    # A confirm held longer than any wait here never times out (a timeout would send the rows again).
    broker = await bus.broker(bus.amqp_url.replace(f":{AMQP_PORT}/", f":{proxy.port}/"), publish_timeout=120)
    await asyncio.wait_for(broker.wait_connected(), 10)
    sent: list[str] = []
    publish = broker.publish

    async def recording_publish(routing_key: str, body: bytes, **options: Any) -> None:
        sent.append(json.loads(body)["label"])
        await publish(routing_key, body, **options)

    broker.publish = recording_publish  # type: ignore[method-assign]
    relay = bus.relay(broker, sweep_seconds=60)
    await relay.start()
    await bus.emit(bus.Ping(label="warm-up"))
    await wait_for(bus.nothing_pending, what="the warm-up published and marked")

    proxy.hold_replies()  # RabbitMQ gets the messages, its confirms wait in the proxy
    first, second = bus.Ping(label="first"), bus.Ping(label="second")
    await bus.emit(first)
    await wait_for(holds(lambda: "first" in sent), what="the first event sent")
    await bus.emit(second)
    await wait_for(holds(lambda: "second" in sent), what="the second sent while the first waits for its confirm")
    assert await bus.pending_event_ids() == [first.event_id, second.event_id]  # no confirm yet: neither marked

    proxy.release_replies()
    await wait_for(bus.nothing_pending, what="both marked published")
    await tap.wait(3)
    assert [json.loads(m.body)["label"] for m in tap.messages] == ["warm-up", "first", "second"]
    assert sent == ["warm-up", "first", "second"]

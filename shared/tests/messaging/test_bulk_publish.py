"""Every lane publishes a claimed batch in one go (`Broker.publish_batch`, issue 20: the relay's CPU an event on a
renewal run's backlog, and a socket write a row in the other lanes' small passes), with the same guarantees as a
message at a time: each row is marked only once the broker confirmed it, a refused or unconfirmed one stays pending
with its attempt recorded, and the consumers apply each event once, in id order. No timing: the tests compare what
was delivered, marked and left pending."""

import asyncio
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from abono.events import Lane
from abono.testing import AMQP_URL, wait_for

from .support import Bus, TcpProxy, holds

AMQP_PORT = urlsplit(AMQP_URL).port or 5672


@pytest.mark.parametrize("lane", [Lane.URGENT, Lane.STANDARD, Lane.BULK])
async def test_batch_marks_what_the_broker_confirmed_and_leaves_refused_rows_pending(bus: Bus, lane: Lane) -> None:
    ping = bus.ping(lane)
    # A queue that takes three messages and refuses the rest (the broker nacks them).
    name = f"{bus.service}.full"
    queue = await bus.channel.declare_queue(name, arguments={"x-max-length": 3, "x-overflow": "reject-publish"})
    bus.queues.add(name)
    await queue.bind("abono.events", routing_key=ping.routing_key)
    pings = [ping(label=f"bulk {i}") for i in range(8)]
    await bus.emit(*pings)
    relay = bus.relay(await bus.broker(), lanes=(lane,), batch_size=500)

    with pytest.raises(Exception, match="5 of 8 outbox rows not confirmed"):
        await relay.publish_pending()

    assert await bus.pending_event_ids() == [ping.event_id for ping in pings[3:]]
    for ping in pings[3:]:
        attempts, error = await bus.outbox_attempts(ping.event_id)
        assert attempts == 1 and "DeliveryError" in error and "Nack" in error, (attempts, error)
    assert [json.loads(m.body)["label"] for m in await _drain(queue)] == ["bulk 0", "bulk 1", "bulk 2"]


async def test_bulk_batch_whose_confirms_are_lost_is_published_again_and_applied_once(bus: Bus) -> None:
    bulk = bus.ping(Lane.BULK)
    calls: Counter[str] = Counter()
    await bus.runner([bus.consumer("orders", calls, also=(bulk,))], await bus.broker())
    proxy = await TcpProxy(AMQP_PORT).start()
    relay_broker = await bus.broker(bus.amqp_url.replace(f":{AMQP_PORT}/", f":{proxy.port}/"), publish_timeout=0.3)
    await asyncio.wait_for(relay_broker.wait_connected(), 10)
    relay = bus.relay(relay_broker, lanes=(Lane.BULK,), sweep_seconds=0.2)
    pings = [bulk(label=f"bulk {i}") for i in range(20)]
    await bus.emit(*pings)

    proxy.hold_replies()  # RabbitMQ routes the messages, but their confirms never reach the relay
    await relay.start()
    await wait_for(holds(lambda: sum(calls.values()) == len(pings)), what="the first copies to be consumed")

    async def attempts_recorded() -> bool:
        return all([(await bus.outbox_attempts(ping.event_id))[0] >= 1 for ping in pings])

    await wait_for(attempts_recorded, what="the failed attempts recorded")
    assert await bus.pending_event_ids() == [ping.event_id for ping in pings]

    await proxy.cut()  # the relay reconnects and publishes the rows again
    await proxy.start()
    await wait_for(bus.nothing_pending, what="the rows marked published")
    assert calls == Counter({f"bulk {i}": 1 for i in range(len(pings))})
    assert sorted(await bus.effect_labels()) == sorted(f"bulk {i}" for i in range(len(pings)))  # each once


async def test_bulk_events_larger_than_a_frame_arrive_whole_and_in_order(bus: Bus) -> None:
    bulk = bus.ping(Lane.BULK)
    tap = await bus.tap(bulk)
    # The broker's frames carry at most 128 KiB (frame_max): the second body goes in three of them.
    labels = ["small", "x" * 300_000, "after"]
    await bus.emit(*(bulk(label=label) for label in labels))

    assert await bus.relay(await bus.broker(), lanes=(Lane.BULK,)).publish_pending() == len(labels)

    await tap.wait(len(labels))
    assert [json.loads(m.body)["label"] for m in tap.messages] == labels


async def _drain(queue):  # type: ignore[no-untyped-def]
    messages = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        messages.append(message)
    return messages

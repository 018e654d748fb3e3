"""Lanes (issue 20): an urgent event is never queued behind bulk ones, neither in the outbox nor on the broker, and
still reaches each consumer exactly once. No timing: the tests compare positions, counts and queue depths."""

import json
from collections import Counter

from sqlalchemy import func, select

from abono.events import Lane, registered_events
from abono.messaging.consumer import queue_name
from abono.testing import wait_for

from .support import Bus, Tap, effects, holds, outbox

BULK_ROWS = 3000


async def _emit_bulk(bus: Bus, count: int) -> None:
    """`count` bulk pings, a thousand per transaction (as a renewal run's chunks write them)."""
    bulk = bus.ping(Lane.BULK)
    for start in range(0, count, 1000):
        await bus.emit(*(bulk(label=f"bulk {i}") for i in range(start, min(count, start + 1000))))


def _labels(tap: Tap) -> list[str]:
    return [json.loads(m.body)["label"] for m in tap.messages]


async def test_urgent_event_is_published_before_thousands_of_pending_bulk_rows(bus: Bus) -> None:
    bulk, urgent = bus.ping(Lane.BULK), bus.ping(Lane.URGENT)
    tap = await bus.tap(bulk, urgent, bus.Ping)
    await _emit_bulk(bus, BULK_ROWS)
    await bus.emit(bus.Ping(label="standard"))
    await bus.emit(urgent(label="urgent"))  # committed last of all
    relay = bus.relay(await bus.broker(), batch_size=500)

    assert await relay.publish_pending() == BULK_ROWS + 2

    await tap.wait(BULK_ROWS + 2)
    labels = _labels(tap)
    assert labels[:2] == ["urgent", "standard"]
    assert labels[2:] == [f"bulk {i}" for i in range(BULK_ROWS)]  # in id order within their lane
    assert await bus.pending_event_ids() == []


async def test_urgent_event_overtakes_the_bulk_backlog_a_running_relay_is_draining(bus: Bus) -> None:
    bulk, urgent = bus.ping(Lane.BULK), bus.ping(Lane.URGENT)
    tap = await bus.tap(bulk, urgent)
    await _emit_bulk(bus, BULK_ROWS)
    batch = 100
    relay = bus.relay(await bus.broker(), batch_size=batch)
    await relay.start()
    await tap.wait(1)  # the bulk lane is being drained

    await bus.emit(urgent(label="urgent"))
    async with bus.engine.connect() as conn:
        # Bulk rows still pending after the urgent commit (fewer than at the commit itself).
        query = (
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.published_at.is_(None), outbox.c.lane == int(Lane.BULK))
        )
        pending_bulk = int((await conn.execute(query)).scalar_one())
    await tap.wait(BULK_ROWS + 1, within=60)

    labels = _labels(tap)
    assert sorted(labels) == sorted(["urgent", *(f"bulk {i}" for i in range(BULK_ROWS))])  # each once
    bulk_after_urgent = len(labels) - 1 - labels.index("urgent")
    # The urgent lane's loop claims it at once; only bulk batches already claimed (in flight) may go first.
    assert pending_bulk > 4 * batch, "the relay drained the backlog before the urgent commit: nothing was proven"
    assert bulk_after_urgent >= pending_bulk - 2 * batch, (bulk_after_urgent, pending_bulk)


async def test_consumer_gets_bulk_events_on_their_own_queue_and_urgent_ones_before_them(bus: Bus) -> None:
    bulk, urgent = bus.ping(Lane.BULK), bus.ping(Lane.URGENT)
    calls: Counter[str] = Counter()
    broker = await bus.broker()
    runner = await bus.runner([bus.consumer("orders", calls, also=(bulk, urgent))], broker)
    main, bulk_queue = queue_name(bus.service, "orders"), queue_name(bus.service, "orders", Lane.BULK)
    assert runner.queues == [main, bulk_queue]
    await runner.stop()  # the queues stay: the backlog builds up in them
    relay = bus.relay(broker, batch_size=500)
    await _emit_bulk(bus, BULK_ROWS)
    assert await relay.publish_pending(Lane.BULK) == BULK_ROWS
    await bus.emit(urgent(label="urgent"))  # on the broker after the whole bulk backlog
    assert await relay.publish_pending() == 1

    async def routed() -> bool:
        return await bus.queue_depth(bulk_queue) == BULK_ROWS and await bus.queue_depth(main) == 1

    await wait_for(routed, what="the backlog and the urgent event in their queues")
    await bus.runner([bus.consumer("orders", calls, also=(bulk, urgent))], broker)
    await wait_for(holds(lambda: sum(calls.values()) == BULK_ROWS + 1), within=60, what="every event applied")

    async with bus.engine.connect() as conn:
        order = list((await conn.scalars(select(effects.c.label).order_by(effects.c.id))).all())
    assert calls == Counter({"urgent": 1, **{f"bulk {i}": 1 for i in range(BULK_ROWS)}})
    # Applied among the first bulk transactions, not after the 3,000 queued before it.
    assert order.index("urgent") < BULK_ROWS // 4, order.index("urgent")


def test_event_types_that_change_what_a_client_can_use_are_urgent_and_mass_produced_ones_bulk() -> None:
    lanes = {cls.__name__: cls.lane for cls in registered_events().values() if cls.__module__.startswith("abono.")}
    urgent = {name for name, lane in lanes.items() if lane == Lane.URGENT}
    bulk = {name for name, lane in lanes.items() if lane == Lane.BULK}
    assert urgent == {
        "InvoicePaid", "InvoiceCancelled", "ChargebackReceived", "ClientClosed", "ServiceOrdered",
        "SuspensionDecided", "TerminationDecided", "ServiceSuspended", "ServiceReactivated", "ServiceTerminated",
        "ServiceActivated", "UpgradeRequested", "UpgradeApplied", "SessionsEnded",
    }  # fmt: skip
    assert bulk == {"InvoiceIssued", "InvoiceReminder", "AppointmentReminder", "DomainExpiring"}


async def test_a_separate_bulk_process_takes_the_bulk_lane_and_the_app_keeps_the_others(bus: Bus) -> None:
    """`bulk_lane="separate"` (the app) and `"only"` (`abono.bulk_worker`): the app's relay publishes the urgent and
    standard rows and leaves the bulk ones; its runner binds the bulk queue (so nothing is unroutable) without
    consuming it; the bulk process's relay and runner take exactly the bulk lane; each event applied once."""
    bulk, urgent = bus.ping(Lane.BULK), bus.ping(Lane.URGENT)
    calls: Counter[str] = Counter()
    broker = await bus.broker()
    main, bulk_queue = queue_name(bus.service, "orders"), queue_name(bus.service, "orders", Lane.BULK)
    app_runner = await bus.runner([bus.consumer("orders", calls, also=(bulk, urgent))], broker,
                                  bulk_lane="separate")
    assert app_runner.queues == [main, bulk_queue]
    app_relay = bus.relay(broker, lanes=(Lane.URGENT, Lane.STANDARD))
    await bus.emit(*(bulk(label=f"bulk {i}") for i in range(200)))
    await bus.emit(urgent(label="urgent"), bus.Ping(label="standard"))

    assert await app_relay.publish_pending() == 2
    await wait_for(holds(lambda: calls["urgent"] == calls["standard"] == 1), what="the app's events applied")
    assert len(await bus.pending_event_ids()) == 200  # the bulk rows are not the app's to publish
    assert await bus.relay(broker, lanes=(Lane.BULK,)).publish_pending() == 200
    await wait_for(_depth_is(bus, bulk_queue, 200), what="the bulk events waiting in their queue, unconsumed")

    bulk_runner = await bus.runner([bus.consumer("orders", calls, also=(bulk, urgent))], broker, bulk_lane="only")
    assert bulk_runner.queues == [bulk_queue]
    await wait_for(holds(lambda: sum(calls.values()) == 202), what="the bulk process applied the bulk events")
    assert calls == Counter({"urgent": 1, "standard": 1, **{f"bulk {i}": 1 for i in range(200)}})
    assert await bus.queue_depth(main) == 0


def _depth_is(bus: Bus, queue: str, count: int):  # type: ignore[no-untyped-def]
    async def reached() -> bool:
        return await bus.queue_depth(queue) == count

    return reached

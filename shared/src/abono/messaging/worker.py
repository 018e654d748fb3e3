"""A consumer's queue worker: declares the queue, takes its deliveries and applies them once through the inbox
(`abono.messaging.batch`; see `abono.messaging.consumer` for the guarantees).

Deliveries come straight from aiormq's channel (no aio-pika message object and task of its own per delivery), their
bodies are parsed and validated in one pass (`parse_event_json`), and a transaction's acks go out as one
`basic.ack` with `multiple` when no earlier delivery is still unsettled (issue 20 item 2: the consumer's CPU per
event). At moderate rates one transaction at a time takes what arrived meanwhile: a further one starts only when a
share of the prefetch window waits (`max_transactions` at most), so a trickle is applied in few transactions, not
one per delivery; or, with `spread=1` (latency over batching), as soon as one delivery waits.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
from collections.abc import Sequence
from typing import cast

import aiormq
import structlog
from aio_pika.abc import AbstractChannel, AbstractQueue
from aiormq.abc import DeliveredMessage
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.events.base import Event, UnknownEvent, parse_event_json
from abono.messaging.batch import InboxApplier
from abono.messaging.broker import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Broker, wait_first
from abono.messaging.handlers import AnyHandler, Consumer, dead_letter_queue_name, queue_arguments
from abono.metrics import ServiceMetrics

log = structlog.get_logger("abono.messaging.consumer")


class QueueWorker:
    """One queue of a consumer: `bind` are the keys it receives, `unbind` those that moved to its other queue;
    `inbox` is the consumer's name in the inbox and metrics, the same for both of its queues."""

    def __init__(
        self,
        *,
        queue: str,
        inbox: str,
        consumer: Consumer,
        bind: Sequence[str],
        unbind: Sequence[str],
        sessionmaker: async_sessionmaker[AsyncSession],
        broker: Broker,
        metrics: ServiceMetrics,
        delivery_limit: int,
        prefetch: int,
        max_transactions: int,
        retry_delay: float,
        max_retry_delay: float,
        stop_timeout: float,
        yield_to: asyncio.Event | None = None,
        consume: bool = True,  # False: only declare and bind the queue (another process consumes it)
        window: int | None = None,  # unacknowledged deliveries the broker may send (default: `prefetch`)
        spread: int | None = None,  # deliveries waiting before a further transaction starts (default: see below)
    ) -> None:
        self.queue = queue
        self.inbox = inbox
        self.consumer = consumer
        self._bind, self._unbind = tuple(bind), tuple(unbind)
        self._sessionmaker = sessionmaker
        self._broker = broker
        self._metrics = metrics
        self._delivery_limit = delivery_limit
        self._prefetch = prefetch  # the most one transaction takes
        self._window = window or prefetch
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._stop_timeout = stop_timeout
        self.consuming = asyncio.Event()
        self._stopping = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        # Set while no delivery waits or is being applied; a lower lane's worker (`yield_to`) waits for it before
        # each of its transactions, so the process's CPU and connections go to the urgent queue first.
        self.quiet = asyncio.Event()
        self.quiet.set()
        self._yield_to = yield_to
        self._consume = consume
        self._task: asyncio.Task[None] | None = None
        self._waiting: list[DeliveredMessage] = []  # delivered, for the next transaction
        self._max_transactions = max_transactions
        # A further transaction starts only while this many deliveries wait (else they go in the next one); 1: one
        # delivery waiting is enough (latency over batching, issue 20: a payment's `InvoicePaid` does not wait for
        # the transaction before it to commit).
        self._spread = spread or max(1, prefetch // max(1, max_transactions))
        # Delivery tags not settled yet, by channel: a transaction's acks are one `multiple` ack up to the lowest.
        self._unsettled: dict[aiormq.abc.AbstractChannel, set[int]] = {}
        self._counters: dict[tuple[str, str], Counter] = {}
        self._applier = InboxApplier(
            queue=queue, inbox=inbox, consumer=consumer, sessionmaker=sessionmaker, retry_delay=retry_delay,
            max_retry_delay=max_retry_delay, stopping=self._stopping,
        )  # fmt: skip
        self._applying = 0  # transactions (appliers) running
        self._appliers: set[asyncio.Task[None]] = set()
        self._retries: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._supervise(), name=f"consumer-{self.queue}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            # The supervisor drains and closes its channel on its own; cancel only if that hangs.
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self._stop_timeout + 5)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    async def _supervise(self) -> None:
        delay = self._retry_delay
        while not self._stopping.is_set():
            if not await wait_first(self._broker.wait_connected(), self._stopping.wait()) or self._stopping.is_set():
                return
            try:
                channel = await self._broker.channel()
            except Exception as exc:  # noqa: BLE001 - the connection just went away: wait for the next one
                log.warning("consumer_channel_failed", queue=self.queue, error=repr(exc))
            else:
                if await self._serve(channel):
                    delay = self._retry_delay
            await wait_first(self._stopping.wait(), within=delay)
            delay = min(delay * 2, self._max_retry_delay)

    async def _serve(self, channel: AbstractChannel) -> bool:
        """Declare, consume until the channel is lost or we stop; True if consuming started."""
        lost = asyncio.Event()
        channel.close_callbacks.add(lambda *_: lost.set())
        started = False
        raw: aiormq.abc.AbstractChannel | None = None
        try:
            await self._declare(channel)
            raw = cast(aiormq.Channel, await channel.get_underlay_channel())  # aio-pika's channels are aiormq's
            self._unsettled[raw] = set()
            tag = (await raw.basic_consume(self.queue, self._on_delivery)).consumer_tag if self._consume else None
            started = True
            self.consuming.set()
            log.info("consumer_started", queue=self.queue, routing_keys=list(self._bind), consuming=self._consume)
            await wait_first(lost.wait(), self._stopping.wait())
            if self._stopping.is_set() and not lost.is_set() and tag is not None:
                await raw.basic_cancel(tag)
                await wait_first(self._idle.wait(), lost.wait(), within=self._stop_timeout)
            elif lost.is_set():
                log.warning("consumer_channel_lost", queue=self.queue)
        except Exception as exc:  # noqa: BLE001 - e.g. the queue exists with other arguments: log and retry
            log.error("consumer_setup_failed", queue=self.queue, error=repr(exc))
        finally:
            self.consuming.clear()
            # Deliveries still unacked go back to the queue when the channel closes.
            with contextlib.suppress(Exception):
                await asyncio.shield(channel.close())
            if raw is not None:
                self._unsettled.pop(raw, None)  # its deliveries are the broker's again
        return started

    async def _declare(self, channel: AbstractChannel) -> AbstractQueue:
        await channel.set_qos(prefetch_count=self._window)
        dlq_name = dead_letter_queue_name(self.queue)
        dlq = await channel.declare_queue(dlq_name, durable=True, arguments={"x-queue-type": "quorum"})
        await dlq.bind(DEAD_LETTER_EXCHANGE, routing_key=dlq_name)
        queue = await channel.declare_queue(
            self.queue, durable=True, arguments=queue_arguments(self.queue, self._delivery_limit)
        )
        # A binding of a handler removed since stays on the queue; its events are acked as "ignored".
        for routing_key in self._bind:
            await queue.bind(EVENTS_EXCHANGE, routing_key=routing_key)
        # A key whose lane moved it to the other queue: else both queues would get it (unbinding is idempotent).
        for routing_key in self._unbind:
            await queue.unbind(EVENTS_EXCHANGE, routing_key=routing_key)
        return queue

    async def _on_delivery(self, message: DeliveredMessage) -> None:
        unsettled = self._unsettled.get(message.channel)
        if unsettled is not None:
            unsettled.add(_tag(message))
        self._idle.clear()
        self.quiet.clear()
        self._waiting.append(message)
        # One transaction at a time takes what arrives meanwhile; another starts when a share of the window waits.
        if self._applying == 0 or (self._applying < self._max_transactions and len(self._waiting) >= self._spread):
            self._applying += 1
            task = asyncio.create_task(self._apply_waiting(), name=f"apply-{self.queue}")
            self._appliers.add(task)
            task.add_done_callback(self._appliers.discard)

    def _set_idle_if_done(self) -> None:
        if not (self._waiting or self._applying):
            self.quiet.set()
        if not (self._waiting or self._retries or self._applying):
            self._idle.set()

    async def _apply_waiting(self) -> None:
        """Apply what has been delivered, a transaction at a time, until nothing waits."""
        try:
            while self._waiting:
                if self._yield_to is not None and not self._yield_to.is_set():
                    await wait_first(self._yield_to.wait(), self._stopping.wait())
                batch, self._waiting = self._waiting[: self._prefetch], self._waiting[self._prefetch :]
                try:
                    await self._apply_batch(batch)
                except Exception:  # unsettled deliveries go back to the queue when the channel closes
                    log.exception("event_batch_failed", queue=self.queue, size=len(batch))
        finally:
            self._applying -= 1
            self._set_idle_if_done()

    async def _apply_batch(self, batch: list[DeliveredMessage]) -> None:
        to_ack: list[DeliveredMessage] = []
        messages: list[DeliveredMessage] = []
        ready: list[tuple[Event, AnyHandler]] = []
        for message in batch:
            routing_key = message.routing_key or ""
            try:
                event = parse_event_json(routing_key, message.body)
            except (UnknownEvent, ValidationError, ValueError) as exc:
                # Retrying cannot fix a message we cannot read: dead-letter it now, keep it for a human.
                log.error(
                    "event_unreadable",
                    queue=self.queue,
                    routing_key=routing_key,
                    message_id=message.header.properties.message_id,
                    error=repr(exc),
                )
                await self._settle(message, "reject")
                self._count(routing_key, "rejected", dead_lettered=True)
                continue
            handler = self.consumer.handler(routing_key)
            if handler is None:
                log.warning("event_ignored", queue=self.queue, routing_key=routing_key, event_id=str(event.event_id))
                to_ack.append(message)
                self._count(routing_key, "ignored")
                continue
            messages.append(message)
            ready.append((event, handler))
        outcomes = await self._applier.apply(ready) if ready else []
        for message, (event, _), outcome in zip(messages, ready, outcomes, strict=True):
            if outcome == "failed":
                self._retry_later(message, event.routing_key)
            else:
                to_ack.append(message)
                self._count(event.routing_key, outcome)
        await self._ack(to_ack)

    async def _ack(self, messages: Sequence[DeliveredMessage]) -> None:
        """Ack `messages`: those below every other unsettled delivery of their channel in one `multiple` ack, any
        other alone. Not waiting for the socket write: if the channel dies first, the broker requeues them and the
        inbox skips the redeliveries.

        A tag leaves `unsettled` only once its frame is queued: queuing may wait (aiormq's write queue is bounded,
        full while the relay publishes on the same connection), and meanwhile another transaction's `multiple` ack
        must not cover it (the broker refuses the ack that follows with "unknown delivery tag" and closes the
        channel; a pending nack would be acked instead, its event lost)."""
        by_channel: dict[aiormq.abc.AbstractChannel, list[int]] = {}
        for message in messages:
            by_channel.setdefault(message.channel, []).append(_tag(message))
        for channel, tags in by_channel.items():
            unsettled = self._unsettled.get(channel)
            if unsettled is None:
                continue  # that channel is closed: the broker took its deliveries back
            tags.sort()
            others = unsettled.difference(tags)
            below = len(tags) if not others else bisect.bisect_left(tags, min(others))
            try:
                if below:
                    await channel.basic_ack(tags[below - 1], multiple=below > 1, wait=False)
                for tag in tags[below:]:
                    await channel.basic_ack(tag, wait=False)
            except Exception as exc:  # noqa: BLE001 - the broker takes them back with the channel
                log.warning("event_settle_failed", queue=self.queue, error=repr(exc))
            finally:
                unsettled.difference_update(tags)

    async def _settle(self, message: DeliveredMessage, action: str) -> None:
        """Nack to requeue ("nack") or reject to the dead-letter queue ("reject") one delivery. If the channel died
        meanwhile the broker requeues the message by itself. Unsettled until its frame is queued (see `_ack`)."""
        tag = _tag(message)
        try:
            if action == "nack":
                await message.channel.basic_nack(tag, requeue=True, wait=False)
            else:
                await message.channel.basic_reject(tag, requeue=False, wait=False)
        except Exception as exc:  # noqa: BLE001 - nothing else to do: the broker already took the message back
            log.warning("event_settle_failed", queue=self.queue, routing_key=message.routing_key, error=repr(exc))
        finally:
            unsettled = self._unsettled.get(message.channel)
            if unsettled is not None:
                unsettled.discard(tag)

    def _retry_later(self, message: DeliveredMessage, routing_key: str) -> None:
        """Back to the queue after a pause (in the background: the deliveries behind it go on), until the delivery
        limit sends it to the dead-letter queue."""
        task = asyncio.create_task(self._nack_for_retry(message, routing_key), name=f"retry-{self.queue}")
        self._retries.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._retries.discard(finished)
            self._set_idle_if_done()

        task.add_done_callback(done)

    async def _nack_for_retry(self, message: DeliveredMessage, routing_key: str) -> None:
        deliveries = _delivery_count(message)
        final = deliveries >= self._delivery_limit
        if final:
            log.error("event_dead_lettered", routing_key=routing_key, deliveries=deliveries + 1)
        else:
            # Space the retries: an immediate requeue would spend every delivery within milliseconds, too
            # soon for the cause (an event not applied yet, a neighbour restarting) to go away.
            delay = min(self._max_retry_delay, self._retry_delay * 2**deliveries)
            await wait_first(self._stopping.wait(), within=delay)
        await self._settle(message, "nack")
        self._count(routing_key, "dead_lettered" if final else "failed", dead_lettered=final)

    def _count(self, routing_key: str, outcome: str, *, dead_lettered: bool = False) -> None:
        counter = self._counters.get((routing_key, outcome))
        if counter is None:
            counter = self._counters[routing_key, outcome] = self._metrics.events_consumed.labels(
                self.inbox, routing_key, outcome
            )
        counter.inc()
        if dead_lettered:
            self._metrics.events_dead_lettered.labels(self.inbox, routing_key).inc()


def _tag(message: DeliveredMessage) -> int:
    return cast(int, message.delivery_tag)


def _delivery_count(message: DeliveredMessage) -> int:
    """Earlier deliveries of this message, as counted by the quorum queue (absent on the first)."""
    value = (message.header.properties.headers or {}).get("x-delivery-count", 0)
    return value if isinstance(value, int) else 0

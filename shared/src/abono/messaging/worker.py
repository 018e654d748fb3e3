"""A consumer's queue worker: declares the queue, takes its deliveries and applies them once through the inbox
(see `abono.messaging.consumer` for the guarantees)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Sequence

import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from pydantic import ValidationError
from sqlalchemy import Text, bindparam, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import new_metadata
from abono.events.base import Event, UnknownEvent, parse_event
from abono.messaging.broker import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Broker, wait_first
from abono.messaging.handlers import AnyHandler, Consumer, dead_letter_queue_name, queue_arguments
from abono.messaging.tables import messaging_tables
from abono.metrics import ServiceMetrics

log = structlog.get_logger("abono.messaging.consumer")

_, _inbox = messaging_tables(new_metadata())
# A delivery batch's inbox rows in one statement whatever its size (two arrays): a multi-row VALUES is another
# statement to compile and prepare for every batch size. Returns the ids not applied before.
_CLAIMED = (
    func.unnest(bindparam("event_ids", type_=ARRAY(UUID(as_uuid=True))), bindparam("routing_keys", type_=ARRAY(Text())))
    .table_valued("event_id", "routing_key")
    .render_derived()
)
_CLAIM_MANY = (
    insert(_inbox)
    .from_select(
        ["consumer", "event_id", "routing_key"],
        select(bindparam("consumer", type_=Text()), _CLAIMED.c.event_id, _CLAIMED.c.routing_key),
    )
    .on_conflict_do_nothing()
    .returning(_inbox.c.event_id)
)


class _HandlerFailed(Exception):
    """A handler failed in a shared transaction: do it again with each handler in its own savepoint."""


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
    ) -> None:
        self.queue = queue
        self.inbox = inbox
        self.consumer = consumer
        self._bind, self._unbind = tuple(bind), tuple(unbind)
        self._sessionmaker = sessionmaker
        self._broker = broker
        self._metrics = metrics
        self._delivery_limit = delivery_limit
        self._prefetch = prefetch
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
        self._waiting: list[AbstractIncomingMessage] = []  # delivered, for the next transaction
        self._max_transactions = max_transactions
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
        try:
            queue = await self._declare(channel)
            tag = await queue.consume(self._on_message) if self._consume else None
            started = True
            self.consuming.set()
            log.info("consumer_started", queue=self.queue, routing_keys=list(self._bind), consuming=self._consume)
            await wait_first(lost.wait(), self._stopping.wait())
            if self._stopping.is_set() and not lost.is_set() and tag is not None:
                await queue.cancel(tag)
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
        return started

    async def _declare(self, channel: AbstractChannel) -> AbstractQueue:
        await channel.set_qos(prefetch_count=self._prefetch)
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

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._idle.clear()
        self.quiet.clear()
        self._waiting.append(message)
        if self._applying < self._max_transactions:
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

    async def _apply_batch(self, batch: list[AbstractIncomingMessage]) -> None:
        ready = [item for item in [await self._readable(message) for message in batch] if item is not None]
        if len(ready) == 1:
            await self._apply_alone(*ready[0])
        elif ready:
            await self._apply_together(ready)

    async def _readable(
        self, message: AbstractIncomingMessage
    ) -> tuple[AbstractIncomingMessage, Event, AnyHandler] | None:
        """The event and its handler; None once an unreadable message is dead-lettered or an unhandled one acked."""
        routing_key = message.routing_key or ""
        try:
            body = json.loads(message.body)
            if not isinstance(body, dict):
                raise ValueError("the body is not a JSON object")
            event = parse_event(routing_key, body)
        except (UnknownEvent, ValidationError, ValueError) as exc:
            # Retrying cannot fix a message we cannot read: dead-letter it now, keep it for a human.
            log.error(
                "event_unreadable",
                queue=self.queue,
                routing_key=routing_key,
                message_id=message.message_id,
                error=repr(exc),
            )
            await _settle(message.reject(requeue=False), routing_key)
            self._count(routing_key, "rejected", dead_lettered=True)
            return None
        handler = self.consumer.handler(routing_key)
        if handler is None:
            log.warning("event_ignored", queue=self.queue, routing_key=routing_key, event_id=str(event.event_id))
            await _settle(message.ack(), routing_key)
            self._count(routing_key, "ignored")
            return None
        return message, event, handler

    async def _apply_alone(self, message: AbstractIncomingMessage, event: Event, handler: AnyHandler) -> None:
        with structlog.contextvars.bound_contextvars(event_id=str(event.event_id), consumer=self.queue):
            try:
                applied = await self._apply(event, handler)
            except Exception:  # any handler failure is retried through the queue
                log.exception("event_handler_failed", routing_key=event.routing_key)
                self._retry_later(message, event.routing_key)
                return
        await _settle(message.ack(), event.routing_key)
        self._count(event.routing_key, "processed" if applied else "duplicate")

    async def _apply_together(self, ready: list[tuple[AbstractIncomingMessage, Event, AnyHandler]]) -> None:
        """One transaction for several deliveries, their inbox rows claimed in one statement. If a handler fails, the
        transaction is rolled back and done again with each handler in a savepoint: the failing one is then rolled
        back alone (with its inbox row) and retried through the queue, the others commit. If the transaction itself
        fails (the database went away), each delivery is applied on its own."""
        try:
            try:
                outcomes = await self._in_one_transaction(ready, isolate=False)
            except _HandlerFailed:
                outcomes = await self._in_one_transaction(ready, isolate=True)
        except Exception as exc:  # noqa: BLE001 - nothing was committed: apply them one by one
            log.warning("event_batch_rolled_back", queue=self.queue, size=len(ready), error=repr(exc))
            await asyncio.gather(*(self._apply_alone(*item) for item in ready))
            return
        for (message, event, _), outcome in zip(ready, outcomes, strict=True):
            if outcome == "failed":
                self._retry_later(message, event.routing_key)
            else:
                await _settle(message.ack(), event.routing_key)
                self._count(event.routing_key, outcome)

    async def _in_one_transaction(
        self, ready: list[tuple[AbstractIncomingMessage, Event, AnyHandler]], *, isolate: bool
    ) -> list[str]:
        """Each delivery's outcome: "processed", "duplicate", or (isolating handlers in savepoints) "failed"."""
        outcomes: list[str] = []
        async with self._sessionmaker() as session, session.begin():
            params = {
                "consumer": self.inbox,
                "event_ids": [e.event_id for _, e, _ in ready],
                "routing_keys": [e.routing_key for _, e, _ in ready],
            }
            claimed = set((await session.execute(_CLAIM_MANY, params)).scalars())
            together: list[tuple[Event, AnyHandler]] = []
            for _, event, handler in ready:
                if event.event_id not in claimed:
                    outcomes.append("duplicate")
                    continue
                claimed.discard(event.event_id)  # the same event twice in one batch: the second is a duplicate
                if not isolate:
                    together.append((event, handler))
                    outcomes.append("processed")
                    continue
                with structlog.contextvars.bound_contextvars(event_id=str(event.event_id), consumer=self.queue):
                    try:
                        async with session.begin_nested():
                            await handler(session, event)
                        outcomes.append("processed")
                    except Exception:  # retried through the queue, like a lone delivery's failure
                        log.exception("event_handler_failed", routing_key=event.routing_key, batched=True)
                        await session.execute(
                            _inbox.delete().where(_inbox.c.consumer == self.inbox, _inbox.c.event_id == event.event_id)
                        )
                        outcomes.append("failed")
            if together:
                try:
                    await self._handle_in_order(session, together)
                except Exception as exc:
                    raise _HandlerFailed from exc
        return outcomes

    async def _handle_in_order(self, session: AsyncSession, events: list[tuple[Event, AnyHandler]]) -> None:
        """Each event's handler in delivery order; a run of consecutive events of a type with a batch handler
        (`Consumer.on_batch`) goes to it in one call."""
        start = 0
        while start < len(events):
            event, handler = events[start]
            batch_handler = self.consumer.batch_handler(event.routing_key)
            end = start + 1
            if batch_handler is None:
                with structlog.contextvars.bound_contextvars(event_id=str(event.event_id), consumer=self.queue):
                    await handler(session, event)
            else:
                while end < len(events) and events[end][0].routing_key == event.routing_key:
                    end += 1
                with structlog.contextvars.bound_contextvars(consumer=self.queue, events=end - start):
                    await batch_handler(session, [each for each, _ in events[start:end]])
            start = end

    def _retry_later(self, message: AbstractIncomingMessage, routing_key: str) -> None:
        """Back to the queue after a pause (in the background: the deliveries behind it go on), until the delivery
        limit sends it to the dead-letter queue."""
        task = asyncio.create_task(self._nack_for_retry(message, routing_key), name=f"retry-{self.queue}")
        self._retries.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._retries.discard(finished)
            self._set_idle_if_done()

        task.add_done_callback(done)

    async def _nack_for_retry(self, message: AbstractIncomingMessage, routing_key: str) -> None:
        deliveries = _delivery_count(message)
        final = deliveries >= self._delivery_limit
        if final:
            log.error("event_dead_lettered", routing_key=routing_key, deliveries=deliveries + 1)
        else:
            # Space the retries: an immediate requeue would spend every delivery within milliseconds, too
            # soon for the cause (an event not applied yet, a neighbour restarting) to go away.
            delay = min(self._max_retry_delay, self._retry_delay * 2**deliveries)
            await wait_first(self._stopping.wait(), within=delay)
        await _settle(message.nack(requeue=True), routing_key)
        self._count(routing_key, "dead_lettered" if final else "failed", dead_lettered=final)

    async def _apply(self, event: Event, handler: AnyHandler) -> bool:
        """One transaction: inbox row and the handler's effects. False if the event was applied before.

        While the database is unreachable, retry here instead of through the queue: an outage is not the
        message's fault and must not spend its deliveries and send it to the dead-letter queue."""
        delay = self._retry_delay
        while True:
            in_handler = False
            try:
                async with self._sessionmaker() as session, session.begin():
                    claim = (
                        insert(_inbox)
                        .values(consumer=self.inbox, event_id=event.event_id, routing_key=event.routing_key)
                        .on_conflict_do_nothing()
                        .returning(_inbox.c.event_id)
                    )
                    if (await session.execute(claim)).first() is None:
                        return False
                    in_handler = True
                    await handler(session, event)
                    in_handler = False
                return True
            except Exception as exc:
                if self._stopping.is_set() or not _database_unreachable(exc, raised_by_handler=in_handler):
                    raise
                log.warning("event_database_unreachable", error=repr(exc), retry_in=delay)
                await wait_first(self._stopping.wait(), within=delay)
                delay = min(delay * 2, self._max_retry_delay)

    def _count(self, routing_key: str, outcome: str, *, dead_lettered: bool = False) -> None:
        self._metrics.events_consumed.labels(self.inbox, routing_key, outcome).inc()
        if dead_lettered:
            self._metrics.events_dead_lettered.labels(self.inbox, routing_key).inc()


async def _settle(action: Awaitable[None], routing_key: str) -> None:
    """Ack, nack or reject. If the channel died meanwhile the broker requeues the message by itself; after a
    commit, the redelivery is then skipped by the inbox."""
    try:
        await action
    except Exception as exc:  # noqa: BLE001 - nothing else to do: the broker already took the message back
        log.warning("event_settle_failed", routing_key=routing_key, error=repr(exc))


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """Earlier deliveries of this message, as counted by the quorum queue (absent on the first)."""
    value = (message.headers or {}).get("x-delivery-count", 0)
    return value if isinstance(value, int) else 0


def _database_unreachable(exc: BaseException, *, raised_by_handler: bool) -> bool:
    """A lost or refused database connection. Socket errors count only outside the handler: inside it they
    may be the handler's own calls, which must go through the queue and its delivery limit."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return not raised_by_handler and isinstance(exc, OSError | sa_exc.TimeoutError)

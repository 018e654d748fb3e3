"""What a consumer is (a named set of handlers, one per event type) and the names and arguments of its queues.

The machinery that applies deliveries is in `abono.messaging.worker` (a queue's deliveries and acks) and
`abono.messaging.batch` (their inbox transactions); `ConsumerRunner` (abono.messaging.consumer) runs one worker per
queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events.base import Event, Lane
from abono.messaging.broker import DEAD_LETTER_EXCHANGE

E = TypeVar("E", bound=Event)
Handler = Callable[[AsyncSession, E], Awaitable[None]]
AnyHandler = Callable[[AsyncSession, Any], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, Sequence[E]], Awaitable[None]]
AnyBatchHandler = Callable[[AsyncSession, Sequence[Any]], Awaitable[None]]


class Consumer:
    """A named set of handlers, one per event type; declared in a service's `consumers.py`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, AnyHandler] = {}
        self._batch_handlers: dict[str, AnyBatchHandler] = {}
        self._lanes: dict[str, Lane] = {}

    def on(self, event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Decorator: run the handler for `event_type` (inside the inbox transaction: flush, never commit)."""

        def register(handler: Handler[E]) -> Handler[E]:
            self._register(event_type, handler)
            return handler

        return register

    def on_batch(self, event_type: type[E]) -> Callable[[BatchHandler[E]], BatchHandler[E]]:
        """Decorator: run the handler once for several events of `event_type` (issue 20: set-based statements for a
        bulk event instead of round trips per event). Inside the inbox transaction, like `on`: flush, never commit.

        The worker hands it each run of consecutive deliveries of the type it applies in one transaction, in
        delivery order, already claimed in the inbox (no duplicate, none applied before); a lone delivery comes as
        a batch of one. If it raises, the transaction is rolled back and done again with each event alone in a
        savepoint (`handler([event])`): the failing event is rolled back by itself and retried through the queue
        (then dead-lettered), the others commit. So it must give the same result for a batch as for its events one
        at a time, and touch only the session."""

        def register(handler: BatchHandler[E]) -> BatchHandler[E]:
            async def one(session: AsyncSession, event: Any) -> None:
                await handler(session, [event])

            self._register(event_type, one)
            self._batch_handlers[event_type.routing_key] = handler
            return handler

        return register

    def _register(self, event_type: type[Event], handler: AnyHandler) -> None:
        key = event_type.routing_key
        if key in self._handlers:
            raise ValueError(f"consumer {self.name!r} already handles {key!r}")
        self._handlers[key] = handler
        self._lanes[key] = event_type.lane

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(self._handlers)

    def routing_keys_of(self, *, bulk: bool) -> tuple[str, ...]:
        """The keys that travel in the bulk lane (`bulk=True`) or in any other."""
        return tuple(key for key, lane in self._lanes.items() if (lane == Lane.BULK) == bulk)

    def handler(self, routing_key: str) -> AnyHandler | None:
        """The handler of one event (a batch handler's called with a batch of one)."""
        return self._handlers.get(routing_key)

    def batch_handler(self, routing_key: str) -> AnyBatchHandler | None:
        """The `on_batch` handler of the key, if it has one."""
        return self._batch_handlers.get(routing_key)


def queue_name(service: str, consumer: str, lane: Lane | None = None) -> str:
    """The consumer's queue for `lane`: `<service>.<consumer>`, or `<service>.<consumer>.bulk` for the bulk lane."""
    return f"{service}.{consumer}.bulk" if lane == Lane.BULK else f"{service}.{consumer}"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def queue_arguments(queue: str, delivery_limit: int) -> dict[str, Any]:
    """RabbitMQ 3.10 quorum queue with a delivery limit (it has no default) and at-least-once dead-lettering
    (which requires reject-publish overflow), so a dead-lettered message is never dropped on the way."""
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": delivery_limit,
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": dead_letter_queue_name(queue),
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }

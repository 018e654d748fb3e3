"""What a consumer is (a named set of handlers, one per event type) and the names and arguments of its queues.

The machinery that applies deliveries is in `abono.messaging.worker`; `ConsumerRunner` (abono.messaging.consumer)
runs one worker per queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events.base import Event, Lane
from abono.messaging.broker import DEAD_LETTER_EXCHANGE

E = TypeVar("E", bound=Event)
Handler = Callable[[AsyncSession, E], Awaitable[None]]
AnyHandler = Callable[[AsyncSession, Any], Awaitable[None]]


class Consumer:
    """A named set of handlers, one per event type; declared in a service's `consumers.py`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, AnyHandler] = {}
        self._lanes: dict[str, Lane] = {}

    def on(self, event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Decorator: run the handler for `event_type` (inside the inbox transaction: flush, never commit)."""

        def register(handler: Handler[E]) -> Handler[E]:
            key = event_type.routing_key
            if key in self._handlers:
                raise ValueError(f"consumer {self.name!r} already handles {key!r}")
            self._handlers[key] = handler
            self._lanes[key] = event_type.lane
            return handler

        return register

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(self._handlers)

    def routing_keys_of(self, *, bulk: bool) -> tuple[str, ...]:
        """The keys that travel in the bulk lane (`bulk=True`) or in any other."""
        return tuple(key for key, lane in self._lanes.items() if (lane == Lane.BULK) == bulk)

    def handler(self, routing_key: str) -> AnyHandler | None:
        return self._handlers.get(routing_key)


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

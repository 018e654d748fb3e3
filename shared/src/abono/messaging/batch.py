"""A queue worker's deliveries applied through the inbox (see `abono.messaging.consumer` for the guarantees): the
transaction side of `abono.messaging.worker`, which takes the deliveries from the broker and settles them with the
outcomes given here.

One delivery: its inbox row and its handler's effects in one transaction, retried here while the database is
unreachable. Several: one transaction, their inbox rows claimed in one statement; if a handler fails, the
transaction is done again with each handler in a savepoint, and if the transaction itself fails, each delivery is
applied on its own. A lone delivery takes the same claim statement as a batch (one statement prepared per connection,
built once: no statement object and cache key per event).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Literal

import structlog
from sqlalchemy import Text, bindparam, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import new_metadata
from abono.events.base import Event
from abono.messaging.broker import wait_first
from abono.messaging.handlers import AnyHandler, Consumer
from abono.messaging.tables import messaging_tables

log = structlog.get_logger("abono.messaging.consumer")

Outcome = Literal["processed", "duplicate", "failed"]
Ready = tuple[Event, AnyHandler]  # a readable delivery's event and its handler

_, _inbox = messaging_tables(new_metadata())
# A batch's inbox rows in one statement whatever its size (two arrays): a multi-row VALUES is another statement to
# compile and prepare for every batch size. Returns the ids not applied before.
_CLAIMED = (
    func.unnest(bindparam("event_ids", type_=ARRAY(UUID(as_uuid=True))), bindparam("routing_keys", type_=ARRAY(Text())))
    .table_valued("event_id", "routing_key")
    .render_derived()
)
_CLAIM = (
    insert(_inbox)
    .from_select(
        ["consumer", "event_id", "routing_key"],
        select(bindparam("consumer", type_=Text()), _CLAIMED.c.event_id, _CLAIMED.c.routing_key),
    )
    .on_conflict_do_nothing()
    .returning(_inbox.c.event_id)
)
_UNCLAIM = _inbox.delete().where(_inbox.c.consumer == bindparam("consumer"), _inbox.c.event_id == bindparam("event_id"))


class _HandlerFailed(Exception):
    """A handler raised (its exception is the cause): in a shared transaction, do it again with each handler in its
    own savepoint."""


class InboxApplier:
    """Applies a consumer's events in inbox transactions: `queue` names it in logs, `inbox` in the inbox rows."""

    def __init__(
        self,
        *,
        queue: str,
        inbox: str,
        consumer: Consumer,
        sessionmaker: async_sessionmaker[AsyncSession],
        retry_delay: float,
        max_retry_delay: float,
        stopping: asyncio.Event,
    ) -> None:
        self._queue = queue
        self._inbox = inbox
        self._consumer = consumer
        self._sessionmaker = sessionmaker
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._stopping = stopping

    async def apply(self, ready: Sequence[Ready]) -> list[Outcome]:
        """Each delivery's outcome: "processed", "duplicate" (applied before), or "failed" (to retry through the
        queue; its effects were rolled back)."""
        if len(ready) == 1:
            return [await self._alone(*ready[0])]
        try:
            try:
                return await self._in_one_transaction(ready, isolate=False)
            except _HandlerFailed:
                return await self._in_one_transaction(ready, isolate=True)
        except Exception as exc:  # noqa: BLE001 - nothing was committed: apply them one by one
            log.warning("event_batch_rolled_back", queue=self._queue, size=len(ready), error=repr(exc))
            return list(await asyncio.gather(*(self._alone(event, handler) for event, handler in ready)))

    async def _alone(self, event: Event, handler: AnyHandler) -> Outcome:
        """One transaction: inbox row and the handler's effects.

        While the database is unreachable, retry here instead of through the queue: an outage is not the
        message's fault and must not spend its deliveries and send it to the dead-letter queue."""
        with structlog.contextvars.bound_contextvars(event_id=str(event.event_id), consumer=self._queue):
            delay = self._retry_delay
            while True:
                try:
                    return (await self._in_one_transaction([(event, handler)], isolate=False))[0]
                except Exception as exc:  # any handler failure is retried through the queue
                    in_handler = isinstance(exc, _HandlerFailed)
                    cause = exc.__cause__ if in_handler and exc.__cause__ is not None else exc
                    if self._stopping.is_set() or not _database_unreachable(cause, raised_by_handler=in_handler):
                        log.error("event_handler_failed", routing_key=event.routing_key, exc_info=cause)
                        return "failed"
                    log.warning("event_database_unreachable", error=repr(cause), retry_in=delay)
                    await wait_first(self._stopping.wait(), within=delay)
                    delay = min(delay * 2, self._max_retry_delay)

    async def _in_one_transaction(self, ready: Sequence[Ready], *, isolate: bool) -> list[Outcome]:
        """Each delivery's outcome: "processed", "duplicate", or (isolating handlers in savepoints) "failed"."""
        outcomes: list[Outcome] = []
        async with self._sessionmaker() as session, session.begin():
            # On the session's connection: its transaction, without the ORM's execution around a Core statement.
            conn = await session.connection()
            params = {
                "consumer": self._inbox,
                "event_ids": [event.event_id for event, _ in ready],
                "routing_keys": [event.routing_key for event, _ in ready],
            }
            claimed: set[uuid.UUID] = set((await conn.execute(_CLAIM, params)).scalars())
            together: list[Ready] = []
            for event, handler in ready:
                if event.event_id not in claimed:
                    outcomes.append("duplicate")
                    continue
                claimed.discard(event.event_id)  # the same event twice in one batch: the second is a duplicate
                if not isolate:
                    together.append((event, handler))
                    outcomes.append("processed")
                    continue
                with structlog.contextvars.bound_contextvars(event_id=str(event.event_id), consumer=self._queue):
                    try:
                        async with session.begin_nested():
                            await handler(session, event)
                        outcomes.append("processed")
                    except Exception:  # retried through the queue, like a lone delivery's failure
                        log.exception("event_handler_failed", routing_key=event.routing_key, batched=True)
                        await conn.execute(_UNCLAIM, {"consumer": self._inbox, "event_id": event.event_id})
                        outcomes.append("failed")
            if together:
                try:
                    await self._handle_in_order(session, together)
                except Exception as exc:
                    raise _HandlerFailed from exc
        return outcomes

    async def _handle_in_order(self, session: AsyncSession, events: list[Ready]) -> None:
        """Each event's handler in delivery order; a run of consecutive events of a type with a batch handler
        (`Consumer.on_batch`) goes to it in one call."""
        start = 0
        while start < len(events):
            event, handler = events[start]
            batch_handler = self._consumer.batch_handler(event.routing_key)
            end = start + 1
            if batch_handler is None:
                with structlog.contextvars.bound_contextvars(event_id=str(event.event_id), consumer=self._queue):
                    await handler(session, event)
            else:
                while end < len(events) and events[end][0].routing_key == event.routing_key:
                    end += 1
                with structlog.contextvars.bound_contextvars(consumer=self._queue, events=end - start):
                    await batch_handler(session, [each for each, _ in events[start:end]])
            start = end


def _database_unreachable(exc: BaseException, *, raised_by_handler: bool) -> bool:
    """A lost or refused database connection. Socket errors count only outside the handler: inside it they
    may be the handler's own calls, which must go through the queue and its delivery limit."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return not raised_by_handler and isinstance(exc, OSError | sa_exc.TimeoutError)

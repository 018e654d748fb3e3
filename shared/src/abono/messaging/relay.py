"""The outbox relay: publishes committed outbox rows to `abono.events` and marks them published.

Guarantee: a row is marked published only after the broker confirmed it, and stays pending otherwise, so no
event is lost. A crash between the confirm and the commit publishes it again: delivery is at least once, and
the consumers' inbox makes it exactly-once in effect.

Lanes (issue 20): every row carries its event type's lane (`abono.events.Lane`: urgent, standard, bulk) and the relay
runs one loop per lane, each claiming only its lane's rows in id order. An urgent event therefore waits for the
urgent events committed before it, never for a bulk backlog (a renewal run's million `InvoiceIssued`): its loop
claims and publishes it while the bulk loop is busy with its own batch. Within a lane, one relay publishes in id
order, as before. A relay may run only some lanes (`lanes`): a service whose bulk lane runs in a worker process of
its own (`ServiceSettings.bulk_lane`, `abono.bulk_worker`) has one relay for the urgent and standard lanes in the
app and one for the bulk lane there; a bulk row the app emits wakes that process at its next sweep (`sweep_seconds`),
an urgent or standard row the bulk worker emits (an auto-pay charge's `InvoicePaid`, a dunning decision) wakes the
app at once by NOTIFY (`abono.messaging.outbox`).

The bulk lane gives way (issue 20): while an urgent row is unpublished (waiting to be claimed, or claimed and waiting
for its confirm, in this process or any other), the bulk loop claims `bulk_paced_batch_size` rows at a time, one
batch in flight, instead of `bulk_batch_size` two at a time. Bulk publishes share the broker (the quorum queues'
WAL, its CPU) with the urgent ones: a thousand bulk messages in flight put seconds between an urgent publish and
its confirm (bench `renewal_day`). The check is a read of the pending index in the claim's transaction, so it sees
the urgent lane of every process and replica; it changes only how many rows a pass takes, never their order.

Woken right after the commit by `emit` in the same process (the loops of its rows' lanes), and by `NOTIFY
abono_outbox` (sent by `emit` in processes without a relay for an urgent or standard row's lane, delivered at
commit) on a dedicated asyncpg connection (`abono.messaging.listener`); a sweep every `sweep_seconds` covers
wake-ups missed (another replica's commit, the LISTEN connection down). Rows are claimed with `FOR UPDATE SKIP
LOCKED`, so any number of replicas can relay the same outbox without publishing a row twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

import asyncpg
import structlog
from prometheus_client import Histogram
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from abono.db import asyncpg_dsn, new_metadata
from abono.events.base import Lane
from abono.messaging import relay_sql, wake
from abono.messaging.broker import Broker, Outgoing, wait_first
from abono.messaging.listener import hold_listening
from abono.messaging.tables import OUTBOX_CHANNEL, messaging_tables
from abono.metrics import ServiceMetrics

log = structlog.get_logger("abono.messaging.relay")

_outbox, _ = messaging_tables(new_metadata())

_PURGE_BATCH = 5000
_PURGE_EVERY_SECONDS = 600.0


class PublishFailed(RuntimeError):
    """Some rows of a batch were not confirmed by the broker; they stay pending."""


class _Batch:
    """One pass of a lane's loop: `handed` is set once its messages are queued on the channel and the next batch may
    be claimed (a full batch, not paced); `full` once it claimed as many rows as it asked for."""

    def __init__(self) -> None:
        self.handed = asyncio.Event()
        self.full = False


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        broker: Broker,
        metrics: ServiceMetrics,
        sweep_seconds: float = 2.0,
        batch_size: int = 500,
        bulk_batch_size: int | None = None,  # the bulk lane's batch (None: `batch_size`)
        # The bulk lane's batch while an urgent row is unpublished, one batch in flight (0: the bulk lane never
        # gives way).
        bulk_paced_batch_size: int = 50,
        retention: timedelta | None = timedelta(days=7),
        max_backoff: float = 30.0,
        stop_timeout: float = 10.0,
        listen_url: str | None = None,  # PostgreSQL itself when `engine` goes through a transaction-pooling PgBouncer
        lanes: Sequence[Lane] = tuple(Lane),  # the lanes this relay publishes (the bulk one may have its own process)
        # Other channels heard on the same LISTEN connection (no connection of their own): each callback runs at a
        # notification and at every (re)connect, for what was missed (the revocation list, issue 20).
        also_listen: Mapping[str, Callable[[], None]] | None = None,
    ) -> None:
        self.service = service
        self._engine = engine
        self._broker = broker
        self._metrics = metrics
        self._sweep_seconds = sweep_seconds
        self._batch_size = batch_size
        self._bulk_batch_size = bulk_batch_size or batch_size
        self._bulk_paced_batch_size = bulk_paced_batch_size
        self._retention = retention
        self._max_backoff = max_backoff
        self._stop_timeout = stop_timeout
        self.lanes = tuple(lane for lane in Lane if lane in lanes)
        self._dsn = asyncpg_dsn(listen_url or engine.url.render_as_string(hide_password=False))
        self._also_listen = dict(also_listen or {})
        # One wake-up flag and one drain lock per lane: each lane's loop clears and waits on its own.
        self._wakes = {lane: asyncio.Event() for lane in Lane}
        self._drain_locks = {lane: asyncio.Lock() for lane in Lane}
        # Set while a lane's loop is not draining: the bulk lane claims its next batch only when the others are.
        self._lane_quiet = {lane: asyncio.Event() for lane in Lane}
        for quiet in self._lane_quiet.values():
            quiet.set()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._last_purge = 0.0
        self._db_key = wake.database_key(engine.url)
        self._local_wakes: list[tuple[Lane, wake.Wake]] = []

    async def start(self) -> None:
        if self._tasks:
            return
        self._stopping.clear()
        for lane in self.lanes:  # `emit` wakes the loops of its rows' lanes; a lane run elsewhere, by NOTIFY
            self._wakes[lane].set()  # rows left by an earlier run are published at once
            self._local_wakes.append((lane, wake.register(self._db_key, self._wakes[lane], wake.outbox_channel(lane))))
        self._tasks = [
            *(
                asyncio.create_task(self._run(lane), name=f"outbox-relay-{self.service}-{lane.name.lower()}")
                for lane in self.lanes
            ),
            asyncio.create_task(
                hold_listening(self._dsn, {OUTBOX_CHANNEL: self._on_notify, **self._also_listen},
                               stopping=self._stopping, max_backoff=self._max_backoff),
                name=f"outbox-listener-{self.service}",
            ),
        ]

    async def stop(self) -> None:
        """Let a pass in progress finish (its rows are then marked), then stop."""
        self._stopping.set()
        for lane, local_wake in self._local_wakes:
            wake.unregister(self._db_key, local_wake, wake.outbox_channel(lane))
        self._local_wakes = []
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=self._stop_timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def publish_pending(self, lane: Lane | None = None) -> int:
        """Publish every pending row of `lane` (all of this relay's lanes, urgent first, if None), batch after batch
        while batches come back full; returns how many.

        Raises `PublishFailed` (after marking the confirmed ones) if the broker did not confirm some rows."""
        total = 0
        for each in self.lanes if lane is None else (lane,):
            async with self._drain_locks[each]:
                self._lane_quiet[each].clear()
                try:
                    total += await self._drain(each)
                finally:
                    self._lane_quiet[each].set()
        return total

    async def _drain(self, lane: Lane) -> int:
        """Batch after batch while they come back full, two in flight: the next batch is claimed and handed to the
        channel while the one before waits for its confirms and the commit of its marks (waiting for both, one
        batch at a time, left the broker idle for a third of the time). Still in id order on the channel: a batch
        is claimed only once the one before has handed all its messages to the channel (queued for its writer in
        one go), and `FOR UPDATE SKIP LOCKED` gives it the rows after those. A third batch waits
        for the first one's marks. A paced bulk batch (an urgent row unpublished) is never handed: the next one is
        claimed once it is confirmed and marked."""
        total = 0
        previous: asyncio.Task[int] | None = None
        current: asyncio.Task[int] | None = None
        try:
            while True:
                if lane == Lane.BULK:
                    await self._yield_to_other_lanes()
                batch = _Batch()
                current = asyncio.create_task(self._publish_batch(lane, batch))
                handed_wait = asyncio.ensure_future(batch.handed.wait())
                try:
                    await asyncio.wait({current, handed_wait}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    handed_wait.cancel()
                if previous is not None:
                    finished, previous = previous, None
                    total += await finished
                # Stopping: end after this batch, so stop() never has to cut a batch between confirm and commit.
                if not batch.handed.is_set() or self._stopping.is_set():
                    finished, current = current, None
                    total += await finished
                    if batch.full and not batch.handed.is_set() and not self._stopping.is_set():
                        continue  # a paced batch: the next one now that it is marked
                    return total
                previous, current = current, None
        finally:
            # Left by an exception (a batch not confirmed, cancellation): the other batch still marks what the
            # broker confirmed before we go.
            await asyncio.gather(*(task for task in (previous, current) if task is not None), return_exceptions=True)

    async def _yield_to_other_lanes(self) -> None:
        """Between bulk batches: let an urgent or standard pass in progress finish first (they share the process's
        CPU, its event loop and the broker connection)."""
        for lane in Lane:
            if lane != Lane.BULK and not self._lane_quiet[lane].is_set():
                await wait_first(self._lane_quiet[lane].wait(), self._stopping.wait())

    async def purge_published(self) -> int:
        """Delete rows published longer ago than the retention; returns how many."""
        if self._retention is None:
            return 0
        deleted = 0
        while True:
            # Batched, skipping rows another replica is deleting, so retention never holds long locks.
            doomed = (
                select(_outbox.c.id)
                .where(_outbox.c.published_at < func.now() - self._retention)
                .order_by(_outbox.c.id)
                .limit(_PURGE_BATCH)
                .with_for_update(skip_locked=True)
            )
            async with self._engine.begin() as conn:
                result = await conn.execute(delete(_outbox).where(_outbox.c.id.in_(doomed.scalar_subquery())))
            deleted += result.rowcount
            if result.rowcount < _PURGE_BATCH:
                return deleted

    async def _batch_for(self, conn: asyncpg.Connection, lane: Lane) -> tuple[int, bool]:
        """How many rows this lane's next batch claims, and whether it is paced (one batch in flight)."""
        if lane != Lane.BULK:
            return self._batch_size, False
        if self._bulk_paced_batch_size and await relay_sql.urgent_pending(conn):
            self._metrics.outbox_bulk_paced.inc()
            return self._bulk_paced_batch_size, True
        return self._bulk_batch_size, False

    async def _publish_batch(self, lane: Lane, batch: _Batch | None = None) -> int:
        """Claim a batch, publish it, mark what the broker confirmed; `batch.handed` is set once the batch, if full
        and not paced, is queued on the channel (the next one may then be claimed)."""
        lag = self._metrics.outbox_lag.labels(lane.name.lower())
        async with relay_sql.pass_transaction(self._engine) as tx:
            conn = tx.driver
            size, paced = await self._batch_for(conn, lane)
            rows = await relay_sql.claim(conn, lane, size)
            if batch is not None:
                batch.full = len(rows) == size
            if not rows:
                lag.set(0)
                return 0
            claimed = time.monotonic()
            lag.set((rows[0]["db_now"] - rows[0]["created_at"]).total_seconds())
            latency = self._metrics.outbox_publish_latency.labels(lane.name.lower())
            # All in flight at once on the confirming channel (one confirm at a time is several times slower), queued
            # in one write: the bulk lane's on its own channel.
            results = await self._publish_together(rows, claimed, latency, lane, batch if not paced else None)
            confirmed = [row for row, result in zip(rows, results, strict=True) if result is None]
            failed = [(row, result) for row, result in zip(rows, results, strict=True) if result is not None]
            if failed:
                # Same transaction as the marks: a separate one would wait on the locks this one holds.
                error = repr(failed[0][1])[:1000]
                await relay_sql.mark_failed(conn, [row["id"] for row, _ in failed], error)
            if confirmed:
                await tx.mark_published_and_commit([row["id"] for row in confirmed])
        for row in confirmed:
            self._metrics.published(row["routing_key"], row["body"])  # and the business facts it carries
        if failed:
            for _, exc in failed:
                if isinstance(exc, asyncio.CancelledError):
                    raise exc
            raise PublishFailed(f"{len(failed)} of {len(rows)} outbox rows not confirmed: {failed[0][1]!r}")
        return len(confirmed)

    async def _publish_together(self, rows: Sequence[asyncpg.Record], claimed: float, latency: Histogram, lane: Lane,
                                batch: _Batch | None) -> list[BaseException | None]:
        """A batch's messages queued on the lane's channel (the bulk one for the bulk lane) in one go
        (`Broker.publish_batch`: one turn on the channel's lock and one socket write for the batch, where a task, a
        lock turn and a write a message cost a renewal run's bulk backlog three times the CPU an event, and a small
        pass at one event per transaction a write per row, issue 20), then `batch.handed` set if the batch is full
        (None: a paced batch); each row's outcome: None once confirmed, else why not."""
        outgoing = [Outgoing(row["routing_key"], row["body"].encode(), str(row["event_id"]), row["created_at"])
                    for row in rows]
        try:
            confirmations = await self._broker.publish_batch(outgoing, bulk=lane == Lane.BULK)
        except Exception as exc:  # noqa: BLE001 - nothing was sent: every row stays pending
            return [exc] * len(rows)
        if batch is not None and batch.full:  # a short batch is the pass's last
            batch.handed.set()
        done, _ = await asyncio.wait(confirmations, timeout=self._broker.publish_timeout)
        results: list[BaseException | None] = []
        now = time.monotonic()
        for row, confirmation in zip(rows, confirmations, strict=True):
            if confirmation not in done:
                confirmation.cancel()
                results.append(TimeoutError(f"no confirm within {self._broker.publish_timeout} s"))
            elif confirmation.cancelled() or confirmation.exception() is not None:
                results.append(confirmation.exception() if not confirmation.cancelled() else asyncio.CancelledError())
            else:
                results.append(None)
                latency.observe((row["db_now"] - row["created_at"]).total_seconds() + (now - claimed))
        return results

    async def _run(self, lane: Lane) -> None:
        flag = self._wakes[lane]
        failures = 0
        while not self._stopping.is_set():
            if not self._broker.is_connected:
                # No point claiming rows; a NOTIFY meanwhile stays in the flag for when it is back.
                await wait_first(self._broker.wait_connected(), self._stopping.wait())
                continue
            flag.clear()  # before the pass: a commit during it wakes the next one
            try:
                count = await self.publish_pending(lane)
                failures = 0
                if count:
                    log.debug("outbox_published", count=count, lane=lane.name.lower())
                await self._purge_now_and_then()
            except Exception as exc:  # noqa: BLE001 - the relay must outlive broker and database outages
                failures += 1
                backoff = min(self._max_backoff, 0.25 * 2**failures)
                log.warning(
                    "outbox_relay_failed", error=repr(exc), retry_in=backoff, failures=failures, lane=lane.name.lower()
                )
                await wait_first(self._stopping.wait(), within=backoff)
                continue
            await wait_first(flag.wait(), self._stopping.wait(), within=self._sweep_seconds)

    async def _purge_now_and_then(self) -> None:
        if self._retention is None or time.monotonic() - self._last_purge < _PURGE_EVERY_SECONDS:
            return
        self._last_purge = time.monotonic()
        deleted = await self.purge_published()
        if deleted:
            log.info("outbox_purged", deleted=deleted)

    def _on_notify(self) -> None:
        for flag in self._wakes.values():
            flag.set()

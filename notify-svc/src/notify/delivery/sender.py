"""The sender: drains the messages table (the consumers' durable outbox of mail) through the channels' transports.

Claim (FOR UPDATE SKIP LOCKED, leased, earliest lane first) → commit → send → settle in a new transaction. Sends are
pipelined (issue 20 item 3): up to `sender_batch_size` messages are in flight, each waits for a token of its
channel's rate limit (`TokenBucket`, urgent lanes served first) and one of the channel's connections, and the sender
claims more as soon as half of them are settled, so a payment's mail queued behind a renewal backlog is claimed
within half a batch and sent with the next token. A send that fails is retried
with exponential back-off (`send_retry_*`) up to `send_max_attempts`, then marked failed for staff to see; a
permanent refusal fails at once. A sender that dies mid-send loses its lease and the message is taken over:
delivery to the provider is at least once, never silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.events import Lane
from abono.messaging.broker import wait_first
from notify.config import NotifySettings
from notify.delivery.ratelimit import TokenBucket
from notify.delivery.transport import PermanentFailure, Transport
from notify.messages.models import Channel, Message
from notify.messages.repository import OutgoingRepository

log = structlog.get_logger("notify.sender")
BACKLOG_EVERY = 5.0  # seconds between two counts of the backlog (a count reads the due index)


def backoff(settings: NotifySettings, attempt: int) -> timedelta:
    """Wait after failed attempt number `attempt` (1-based): base * factor^(attempt-1), capped."""
    seconds = settings.send_retry_base_seconds * settings.send_retry_factor ** (attempt - 1)
    return timedelta(seconds=min(seconds, settings.send_retry_max_seconds))


class Sender:
    def __init__(self, *, settings: NotifySettings, sessionmaker: async_sessionmaker[AsyncSession],
                 transports: Mapping[Channel, Transport], clock: Callable[[], Clock],
                 on_outcome: Callable[[str, str], None] | None = None,
                 limits: Mapping[Channel, tuple[TokenBucket, int]] | None = None) -> None:
        """`limits`: per channel, its rate limit and how many sends may be in progress at once (its connections)."""
        self.settings = settings
        self._sessionmaker = sessionmaker
        self._transports = transports
        self.buckets = {channel: bucket for channel, (bucket, _) in (limits or {}).items()}
        self._slots = {channel: asyncio.Semaphore(n) for channel, (_, n) in (limits or {}).items()}
        self.in_flight: dict[Channel, int] = dict.fromkeys(transports, 0)
        self._tasks: set[asyncio.Task[None]] = set()
        # Told the backlog by (channel, lane) every BACKLOG_EVERY seconds (the metrics set it).
        self.on_backlog: Callable[[Mapping[tuple[str, int], int]], None] = lambda backlog: None
        self._backlog_at = -BACKLOG_EVERY
        self._clock = clock
        self._on_outcome = on_outcome or (lambda channel, outcome: None)
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="notify-sender")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self.settings.smtp_timeout_seconds + 5)
            except TimeoutError:
                self._task.cancel()
                for task in list(self._tasks):
                    task.cancel()  # unsettled: their leases run out and they are claimed again
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                room = self.settings.sender_batch_size - len(self._tasks)
                count = await self.start_due(room) if room > 0 else 0
                await self._count_backlog()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the sender must outlive database outages
                failures += 1
                delay = min(30.0, self.settings.sender_poll_seconds * 2**failures)
                log.warning("sender_pass_failed", error=repr(exc), retry_in=delay)
                await wait_first(self._stopping.wait(), within=delay)
                continue
            if count < room or len(self._tasks) > self.settings.sender_batch_size // 2:
                # Nothing more due, or enough in flight: until woken (new messages, half the batch settled).
                await wait_first(self._wake.wait(), self._stopping.wait(), within=self.settings.sender_poll_seconds)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def start_due(self, limit: int) -> int:
        """Claim up to `limit` due messages (earliest lane first) and start sending them; returns how many."""
        lease = timedelta(seconds=self.settings.sender_lease_seconds)
        async with unit_of_work(self._sessionmaker) as session:
            batch = await OutgoingRepository(session).claim_due(now=self._clock().now(), limit=limit, lease=lease)
        for message in batch:
            task = asyncio.create_task(self._send_one(message), name="notify-send")
            self._tasks.add(task)
            task.add_done_callback(self._settled)
        return len(batch)

    async def _count_backlog(self) -> None:
        if time.monotonic() - self._backlog_at < BACKLOG_EVERY:
            return
        self._backlog_at = time.monotonic()
        async with unit_of_work(self._sessionmaker) as session:
            backlog = await OutgoingRepository(session).backlog()
        self.on_backlog(backlog)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Not settled (the database was unreachable): its lease runs out and the message is claimed again.
            log.warning("message_not_settled", error=repr(task.exception()))
        if len(self._tasks) <= self.settings.sender_batch_size // 2:
            self._wake.set()

    async def _hand_over(self, channel: Channel, message: Message) -> str:
        """The transport's send, within the channel's rate limit and connections (none configured: unlimited)."""
        bucket, slots = self.buckets.get(channel), self._slots.get(channel)
        if bucket is not None:
            await bucket.take(Lane(message.lane))
        self.in_flight[channel] += 1
        try:
            if slots is None:
                return await self._transports[channel].send(message)
            async with slots:
                return await self._transports[channel].send(message)
        finally:
            self.in_flight[channel] -= 1

    async def _send_one(self, message: Message) -> None:
        channel = Channel(message.channel)
        error: str | None = None
        permanent = False
        provider_id = ""
        with structlog.contextvars.bound_contextvars(message_id=str(message.id), client_id=str(message.client_id)):
            try:
                provider_id = await self._hand_over(channel, message)
            except PermanentFailure as exc:
                error, permanent = str(exc), True
            except Exception as exc:  # noqa: BLE001 - TransientFailure or anything unforeseen: retried
                error = str(exc) or repr(exc)
            await self._settle(message, channel, provider_id, error, permanent)

    async def _settle(self, message: Message, channel: Channel, provider_id: str, error: str | None,
                      permanent: bool) -> None:
        now = self._clock().now()
        attempt = message.attempts
        async with unit_of_work(self._sessionmaker) as session:
            outgoing = OutgoingRepository(session)
            if error is None:
                outcome = "sent"
                kept = await outgoing.sent(message.id, attempt, provider_id=provider_id, at=now)
            elif permanent or attempt >= self.settings.send_max_attempts:
                outcome = "failed"
                kept = await outgoing.failed(message.id, attempt, error=error[:2000], at=now)
            else:
                outcome = "retry"
                kept = await outgoing.retry_later(message.id, attempt, error=error[:2000],
                                                  at=now + backoff(self.settings, attempt))
        if not kept:
            log.warning("message_lease_lost", channel=channel.value, outcome=outcome)
            return
        self._on_outcome(channel.value, outcome)
        log_fn = log.info if outcome == "sent" else log.warning
        log_fn("message_" + outcome, channel=channel.value, attempt=attempt, error=error)

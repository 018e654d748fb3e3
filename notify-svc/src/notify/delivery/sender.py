"""The sender: drains the messages table (the consumers' durable outbox of mail) through the channels' transports.

Claim (FOR UPDATE SKIP LOCKED, leased) → commit → send → settle in a new transaction. A send that fails is retried
with exponential back-off (`send_retry_*`) up to `send_max_attempts`, then marked failed for staff to see; a
permanent refusal fails at once. A sender that dies mid-send loses its lease and the message is taken over:
delivery to the provider is at least once, never silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.messaging.broker import wait_first
from notify.config import NotifySettings
from notify.delivery.transport import PermanentFailure, Transport
from notify.messages.models import Channel, Message
from notify.messages.repository import OutgoingRepository

log = structlog.get_logger("notify.sender")


def backoff(settings: NotifySettings, attempt: int) -> timedelta:
    """Wait after failed attempt number `attempt` (1-based): base * factor^(attempt-1), capped."""
    seconds = settings.send_retry_base_seconds * settings.send_retry_factor ** (attempt - 1)
    return timedelta(seconds=min(seconds, settings.send_retry_max_seconds))


class Sender:
    def __init__(self, *, settings: NotifySettings, sessionmaker: async_sessionmaker[AsyncSession],
                 transports: Mapping[Channel, Transport], clock: Callable[[], Clock],
                 on_outcome: Callable[[str, str], None] | None = None) -> None:
        self.settings = settings
        self._sessionmaker = sessionmaker
        self._transports = transports
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
                count = await self.send_due()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the sender must outlive database outages
                failures += 1
                delay = min(30.0, self.settings.sender_poll_seconds * 2**failures)
                log.warning("sender_pass_failed", error=repr(exc), retry_in=delay)
                await wait_first(self._stopping.wait(), within=delay)
                continue
            if count < self.settings.sender_batch_size:
                await wait_first(self._wake.wait(), self._stopping.wait(), within=self.settings.sender_poll_seconds)

    async def send_due(self) -> int:
        """One pass: claim a batch of due messages, send them concurrently, settle each; returns how many."""
        lease = timedelta(seconds=self.settings.sender_lease_seconds)
        async with unit_of_work(self._sessionmaker) as session:
            batch = await OutgoingRepository(session).claim_due(
                now=self._clock().now(), limit=self.settings.sender_batch_size, lease=lease
            )
        await asyncio.gather(*(self._send_one(message) for message in batch))
        return len(batch)

    async def _send_one(self, message: Message) -> None:
        channel = Channel(message.channel)
        error: str | None = None
        permanent = False
        provider_id = ""
        with structlog.contextvars.bound_contextvars(message_id=str(message.id), client_id=str(message.client_id)):
            try:
                provider_id = await self._transports[channel].send(message)
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

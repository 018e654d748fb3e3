"""The process's one AMQP connection, kept alive by a supervisor task.

We run our own reconnect loop on a plain connection instead of `connect_robust`: robust connections cannot make
the first connection in the background, and after a reconnect they re-open channels with the old numbers, so
an ack for a delivery from the dead channel can close the new one. Here every connection is built from scratch
(exchanges declared, publishing channel opened) and its users (relay, consumers) wait for it and rebuild their
own channels on it. Deliveries from a dead connection can only fail to ack, and are redelivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

import aio_pika
import aiormq
import pamqp.frame
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection
from aiormq.abc import ChannelFrame
from pamqp.body import ContentBody
from pamqp.commands import Basic
from pamqp.header import ContentHeader

log = structlog.get_logger("abono.messaging.broker")

EVENTS_EXCHANGE = "abono.events"
# Direct: each consumer queue dead-letters with its own name as routing key to `<queue>.dlq`.
DEAD_LETTER_EXCHANGE = "abono.dlx"


class Outgoing(NamedTuple):
    """A message for `Broker.publish_batch`."""

    routing_key: str
    body: bytes
    message_id: str
    timestamp: datetime | None = None


class BrokerUnavailable(ConnectionError):
    """There is no open connection to RabbitMQ right now."""


class Broker:
    """Owns the connection, the two exchanges and a publishing channel with publisher confirms."""

    def __init__(
        self,
        url: str,
        *,
        name: str,
        reconnect_min_delay: float = 0.5,
        reconnect_max_delay: float = 5.0,
        connect_timeout: float = 10.0,
        publish_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.name = name
        self._min_delay = reconnect_min_delay
        self._max_delay = reconnect_max_delay
        self._connect_timeout = connect_timeout
        self.publish_timeout = publish_timeout
        self._connection: AbstractConnection | None = None
        # The confirming channels messages are published on (`abono.events` declared on the first).
        self._publishing: AbstractChannel | None = None
        self._bulk_publishing: AbstractChannel | None = None
        self._connected = asyncio.Event()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def is_connected(self) -> bool:
        return self._connected.is_set()

    async def start(self) -> None:
        """Start connecting in the background; returns at once, even when RabbitMQ is down."""
        if self._task is None:
            self._closing.clear()
            self._task = asyncio.create_task(self._supervise(), name=f"broker-{self.name}")

    async def stop(self) -> None:
        self._closing.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def wait_connected(self) -> None:
        """Until a connection is up."""
        await self._connected.wait()

    async def channel(self) -> AbstractChannel:
        """A new channel on the current connection, for a consumer; it dies with the connection."""
        connection = self._connection
        if connection is None or not self.is_connected:
            raise BrokerUnavailable(f"{self.name}: not connected to RabbitMQ")
        channel = connection.channel(publisher_confirms=False)
        await channel  # opens it
        return channel

    async def publish_batch(self, messages: Sequence[Outgoing], *, bulk: bool = False) -> list[asyncio.Future[Any]]:
        """Queue `messages` as persistent JSON messages to `abono.events` on a confirming channel, in this order, in
        one write to the connection; returns each one's confirmation (resolved at the broker's ack; a nack, or the
        channel lost first, fails it: the message may then have arrived, so retry and let the consumers' inbox drop
        the duplicate). Returns once they are queued, without waiting for the confirms. Not mandatory: an event
        nobody subscribes to yet is not an error in pub/sub.

        `bulk` messages go through a confirming channel of their own, so an urgent message is not queued behind
        hundreds of bulk ones in flight on one channel (RabbitMQ runs each channel apart). Raises
        `BrokerUnavailable` when not connected.

        A message at a time (aiormq's `basic_publish`, issue 20) cost a turn on the channel's lock, a task, its
        frames marshalled apart and written to the socket apart. Here: one turn and one write for the batch, the
        method frame marshalled once per routing key, as aiormq's `basic_publish` builds them."""
        publishing = self._bulk_publishing if bulk else self._publishing
        if publishing is None or not self.is_connected:
            raise BrokerUnavailable(f"{self.name}: not connected to RabbitMQ")
        channel = cast(aiormq.Channel, await publishing.get_underlay_channel())
        method_frames: dict[str, bytes] = {}
        payload = bytearray()
        confirmations: list[asyncio.Future[Any]] = []
        async with channel.lock:
            first_tag = channel.delivery_tag
            for message in messages:
                method = method_frames.get(message.routing_key)
                if method is None:
                    method = method_frames[message.routing_key] = pamqp.frame.marshal(
                        Basic.Publish(exchange=EVENTS_EXCHANGE, routing_key=message.routing_key), channel.number)
                properties = self._properties(message.routing_key, message.message_id, message.timestamp)
                payload += method
                payload += pamqp.frame.marshal(ContentHeader(0, len(message.body), properties), channel.number)
                for start in range(0, len(message.body), channel.max_content_size):
                    payload += pamqp.frame.marshal(
                        ContentBody(message.body[start:start + channel.max_content_size]), channel.number)
                channel.delivery_tag += 1
                confirmation = channel.create_future()
                channel.confirmations[channel.delivery_tag] = confirmation
                confirmations.append(confirmation)
            try:
                await channel.write_queue.put(ChannelFrame(payload=bytes(payload), should_close=False))
            except BaseException:
                # Nothing reached the broker: its sequence numbers are free again (as `basic_publish` does).
                for tag in range(first_tag + 1, channel.delivery_tag + 1):
                    channel.confirmations.pop(tag, None)
                channel.delivery_tag = first_tag
                for confirmation in confirmations:
                    confirmation.cancel()
                raise
        return confirmations

    def _properties(self, routing_key: str, message_id: str,
                    timestamp: datetime | None) -> aiormq.spec.Basic.Properties:
        # The properties `aio_pika.Message` would give (but no `priority` 0), built directly: that object was ~15 % of
        # a publish's CPU in py-spy (issue 20).
        return aiormq.spec.Basic.Properties(
            content_type="application/json",
            delivery_mode=int(aio_pika.DeliveryMode.PERSISTENT),
            message_id=message_id,
            timestamp=timestamp,
            message_type=routing_key,
            app_id=self.name,
            headers={},
        )

    async def _supervise(self) -> None:
        delay = self._min_delay
        while not self._closing.is_set():
            try:
                connection = await aio_pika.connect(
                    self.url,
                    timeout=self._connect_timeout,
                    client_properties={"connection_name": self.name},
                )
            except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                log.warning("broker_connect_failed", broker=self.name, error=repr(exc), retry_in=round(delay, 2))
            else:
                if await self._serve(connection):
                    delay = self._min_delay  # it was up: the next attempt starts from the shortest wait
            # Jitter, so that replicas cut off together do not reconnect in lockstep.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, self._max_delay)

    async def _serve(self, connection: AbstractConnection) -> bool:
        """Set up `connection` and hold it until it (or the publishing channel) is lost; True if it came up."""
        lost = asyncio.Event()
        connection.close_callbacks.add(lambda *_: lost.set())
        came_up = False
        try:
            channel = connection.channel(publisher_confirms=True)
            await channel
            # A broken publishing channel is rare (a protocol error); rebuilding everything keeps one code path.
            channel.close_callbacks.add(lambda *_: lost.set())
            await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
            await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
            bulk_channel = connection.channel(publisher_confirms=True)
            await bulk_channel
            bulk_channel.close_callbacks.add(lambda *_: lost.set())
            self._connection, self._publishing, self._bulk_publishing = connection, channel, bulk_channel
            self._connected.set()
            came_up = True
            log.info("broker_connected", broker=self.name)
            await lost.wait()
            log.warning("broker_connection_lost", broker=self.name)
        except Exception as exc:  # noqa: BLE001 - a failed set-up is retried like a failed connect
            log.warning("broker_setup_failed", broker=self.name, error=repr(exc))
        finally:
            self._connected.clear()
            self._connection = self._publishing = self._bulk_publishing = None
            with contextlib.suppress(Exception):
                await asyncio.shield(connection.close())
        return came_up


async def wait_first(*waits: Awaitable[Any], within: float | None = None) -> bool:
    """Wait until the first of `waits` finishes or `within` seconds pass (the others are cancelled); True if one did.

    The relay and consumers use it to make every sleep and wait end at once when they are told to stop."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        done, _ = await asyncio.wait(tasks, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
    for task in done:
        task.result()
    return bool(done)

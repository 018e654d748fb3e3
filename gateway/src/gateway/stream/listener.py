"""This replica's subscription to the bus: an exclusive, auto-delete, server-named queue bound to `abono.events` for
every streamed routing key, consumed without acks (live data: a frame lost in a broker outage is not worth a
redelivery; the page reloads the state when its stream reconnects). Rebuilt on every new broker connection."""

from __future__ import annotations

import asyncio
import contextlib
import json

import structlog
from aio_pika.abc import AbstractIncomingMessage
from pamqp.common import FieldTable

from abono.messaging.broker import EVENTS_EXCHANGE, Broker, BrokerUnavailable
from gateway.stream.frames import STREAMED, frame, recipients
from gateway.stream.hub import Hub

log = structlog.get_logger("gateway.stream")
# A replica that stops reading (stuck event loop) must not make RabbitMQ hold an unbounded backlog for it.
QUEUE_ARGUMENTS: FieldTable = {"x-max-length": 10_000, "x-overflow": "drop-head"}


class StreamListener:
    def __init__(self, *, broker: Broker, hub: Hub, retry_seconds: float = 1.0) -> None:
        self.broker = broker
        self.hub = hub
        self.retry_seconds = retry_seconds
        self.bound = asyncio.Event()  # set while a queue is bound and consumed (tests and readiness wait on it)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="gateway-stream-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.broker.wait_connected()
            try:
                await self._consume()
            except (BrokerUnavailable, ConnectionError, OSError) as exc:
                log.warning("stream_listener_lost", error=repr(exc))
            except Exception as exc:  # noqa: BLE001 - any failure is retried: the streams must come back
                log.error("stream_listener_failed", error=repr(exc))
            self.bound.clear()
            await asyncio.sleep(self.retry_seconds)

    async def _consume(self) -> None:
        channel = await self.broker.channel()
        closed = asyncio.Event()
        channel.close_callbacks.add(lambda *_: closed.set())
        try:
            await channel.set_qos(prefetch_count=0)
            queue = await channel.declare_queue(None, exclusive=True, auto_delete=True, arguments=QUEUE_ARGUMENTS)
            for routing_key in STREAMED:
                await queue.bind(EVENTS_EXCHANGE, routing_key)
            await queue.consume(self._on_message, no_ack=True)
            self.bound.set()
            log.info("stream_listener_bound", queue=queue.name)
            await closed.wait()
        finally:
            with contextlib.suppress(Exception):
                await channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        routing_key = message.routing_key or ""
        try:
            body = json.loads(message.body)
        except ValueError:
            log.warning("stream_unreadable_event", routing_key=routing_key)
            return
        if not isinstance(body, dict):
            return
        for client_id in recipients(body):
            data = frame(routing_key, body, client_id)
            if data is not None:
                self.hub.deliver(client_id, data)

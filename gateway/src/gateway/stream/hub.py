"""In-process fan-out: the streams open on this replica, by client."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from gateway.stream.frames import END

QUEUE_FRAMES = 256


@dataclass(eq=False)
class Subscriber:
    client_id: uuid.UUID
    frames: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(QUEUE_FRAMES + 1))
    ended: bool = False

    def offer(self, frame: bytes) -> None:
        """Queue a frame; a reader too slow to keep up is ended (it reconnects and loads the state afresh)."""
        if self.ended:
            return
        if self.frames.qsize() >= QUEUE_FRAMES:
            self.end()
            return
        self.frames.put_nowait(frame)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.frames.put_nowait(END)  # the queue keeps one place free for this


class Hub:
    def __init__(self) -> None:
        self._streams: dict[uuid.UUID, set[Subscriber]] = {}

    def subscribe(self, client_id: uuid.UUID, *, limit: int) -> Subscriber | None:
        """A new stream for the client, or None if it already has `limit` open here."""
        streams = self._streams.setdefault(client_id, set())
        if len(streams) >= limit:
            return None
        subscriber = Subscriber(client_id)
        streams.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        streams = self._streams.get(subscriber.client_id)
        if streams is not None:
            streams.discard(subscriber)
            if not streams:
                del self._streams[subscriber.client_id]

    def deliver(self, client_id: uuid.UUID, frame: bytes) -> int:
        """Offer the frame to the client's streams; how many there were."""
        streams = self._streams.get(client_id, ())
        for subscriber in list(streams):
            subscriber.offer(frame)
        return len(streams)

    def end_all(self) -> None:
        for streams in self._streams.values():
            for subscriber in streams:
                subscriber.end()

    @property
    def open_streams(self) -> int:
        return sum(len(streams) for streams in self._streams.values())

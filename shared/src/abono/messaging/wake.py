"""Which outbox relays run in this process, by database, so `emit` can wake them after commit without NOTIFY."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.engine import URL

Wake = Callable[[], None]
DatabaseKey = tuple[str | None, int, str | None]
_relays: dict[DatabaseKey, list[Wake]] = {}


def database_key(url: URL) -> DatabaseKey:
    """One database whatever the driver or credentials in the URL."""
    return (url.host, url.port or 5432, url.database)


def local_relays(key: DatabaseKey) -> list[Wake]:
    return _relays.get(key, [])


def register(key: DatabaseKey, event: asyncio.Event) -> Wake:
    """Add a relay's wake-up (its event, set on its own loop from any thread); returns what `unregister` takes."""
    loop = asyncio.get_running_loop()

    def wake() -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    _relays.setdefault(key, []).append(wake)
    return wake


def unregister(key: DatabaseKey, wake: Wake) -> None:
    wakes = _relays.get(key, [])
    if wake in wakes:
        wakes.remove(wake)
    if not wakes:
        _relays.pop(key, None)

"""Which outbox relays run in this process, by database, so `emit` can wake them after commit without NOTIFY.

A relay registers one wake-up per lane it runs (issue 20 item 2): a commit wakes only the loops of the lanes it
wrote rows in. Woken for every commit, the urgent and bulk loops of a standard event's relay each ran an empty pass
(a pooled connection, BEGIN, a claim that found nothing, COMMIT; the bulk one also its urgent check), two thirds of
the relay's passes at 500 one-event commits/s, and with three passes at once the bench's small relay pool opened and
closed an overflow connection per commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection

from sqlalchemy.engine import URL

from abono.events.base import Lane

Wake = Callable[[], None]
DatabaseKey = tuple[str | None, int, str | None]
# Per database: (the lane a wake-up is for, None for every lane; the wake-up).
_relays: dict[DatabaseKey, list[tuple[Lane | None, Wake]]] = {}


def database_key(url: URL) -> DatabaseKey:
    """One database whatever the driver or credentials in the URL."""
    return (url.host, url.port or 5432, url.database)


def local_relays(key: DatabaseKey) -> list[Wake]:
    """Every wake-up registered for `key`'s database (empty: no relay of it runs in this process)."""
    return [each for _, each in _relays.get(key, [])]


def wake_lanes(key: DatabaseKey, lanes: Collection[Lane] | None) -> None:
    """Call the wake-ups of `key`'s database registered for one of `lanes` (all of them if None) or for any lane."""
    for lane, each in list(_relays.get(key, [])):
        if lane is None or lanes is None or lane in lanes:
            each()


def register(key: DatabaseKey, event: asyncio.Event, lane: Lane | None = None) -> Wake:
    """Add a relay's wake-up for rows of `lane` (None: of any lane): its event, set on its own loop from any thread.
    Returns what `unregister` takes."""
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

    _relays.setdefault(key, []).append((lane, wake))
    return wake


def unregister(key: DatabaseKey, wake: Wake) -> None:
    wakes = [entry for entry in _relays.get(key, []) if entry[1] is not wake]
    if wakes:
        _relays[key] = wakes
    else:
        _relays.pop(key, None)

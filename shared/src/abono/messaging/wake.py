"""In-process wake-ups at commit, by channel and database: which loops of this process wait for rows of a kind that a
commit may have written, so the writer can wake them after its commit without NOTIFY. The outbox relays' loops are a
channel a lane (`outbox_channel(lane)`: `emit` wakes the loops of its rows' lanes); a service may add its own
(provisioning's driver-action worker, issue 20)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from abono.events.base import Lane

Wake = Callable[[], None]
DatabaseKey = tuple[str | None, int, str | None]
OUTBOX = "outbox"
_waiting: dict[tuple[str, DatabaseKey], list[Wake]] = {}
_PENDING = "abono.wake.pending"  # session.info: the (channel, database) pairs to wake at the next commit


def database_key(url: URL) -> DatabaseKey:
    """One database whatever the driver or credentials in the URL."""
    return (url.host, url.port or 5432, url.database)


def outbox_channel(lane: Lane) -> str:
    """The channel of the relay loops that publish `lane`'s outbox rows."""
    return f"{OUTBOX}.{lane.name.lower()}"


def local_relays(key: DatabaseKey, lane: Lane) -> list[Wake]:
    """This process's relay loops for `lane`'s rows of `key`'s outbox."""
    return local_wakes(outbox_channel(lane), key)


def local_wakes(channel: str, key: DatabaseKey) -> list[Wake]:
    return _waiting.get((channel, key), [])


def register(key: DatabaseKey, flag: asyncio.Event, channel: str) -> Wake:
    """Add a loop's wake-up (its event, set on its own loop from any thread); returns what `unregister` takes."""
    loop = asyncio.get_running_loop()

    def wake() -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            flag.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(flag.set)

    _waiting.setdefault((channel, key), []).append(wake)
    return wake


def unregister(key: DatabaseKey, wake: Wake, channel: str) -> None:
    wakes = _waiting.get((channel, key), [])
    if wake in wakes:
        wakes.remove(wake)
    if not wakes:
        _waiting.pop((channel, key), None)


def wake_at_commit(session: Session, channel: str, key: DatabaseKey) -> None:
    """Wake this process's loops of `channel` for `key` once the session's transaction commits."""
    session.info.setdefault(_PENDING, set()).add((channel, key))


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    # SQLAlchemy also dispatches after_commit when a savepoint is released: wait for the root transaction's commit
    # (waking before it would find nothing, and the next wake-up is a poll's or a sweep's).
    if session.get_nested_transaction() is not None:
        return
    for channel, key in session.info.pop(_PENDING, ()):
        for wake in local_wakes(channel, key):
            wake()

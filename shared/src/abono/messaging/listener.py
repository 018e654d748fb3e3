"""The outbox relay's LISTEN connection (issue 20): one dedicated asyncpg connection per relay, held and reconnected
forever, on which PostgreSQL delivers `NOTIFY` of the outbox channel (a commit in a process without a relay) and of
any other channel a service follows without a connection of its own (the revocation list). Each callback runs at a
notification and at every (re)connect, for what was missed while the connection was down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping

import asyncpg
import structlog

from abono.messaging.broker import wait_first

log = structlog.get_logger("abono.messaging.relay")

_PING_SECONDS = 30.0


async def hold_listening(dsn: str, channels: Mapping[str, Callable[[], None]], *, stopping: asyncio.Event,
                         max_backoff: float) -> None:
    """Listen on `channels` (channel → callback) until `stopping` is set; reconnect with back-off when the
    connection fails or is lost."""
    delay = 0.5
    while not stopping.is_set():
        try:
            conn = await asyncpg.connect(dsn, timeout=10)
        except Exception as exc:  # noqa: BLE001 - retried; the relay's sweep covers the gap
            log.warning("outbox_listen_connect_failed", error=repr(exc), retry_in=delay)
            await wait_first(stopping.wait(), within=delay)
            delay = min(delay * 2, max_backoff)
            continue
        delay = 0.5
        try:
            await _hold(conn, channels, stopping)
        except Exception as exc:  # noqa: BLE001
            log.warning("outbox_listen_lost", error=repr(exc))
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.close(timeout=2))


async def _hold(conn: asyncpg.Connection, channels: Mapping[str, Callable[[], None]], stopping: asyncio.Event) -> None:
    lost = asyncio.Event()
    conn.add_termination_listener(lambda _conn: lost.set())
    for channel, callback in channels.items():
        await conn.add_listener(channel, _call(callback))
        callback()  # what was missed before this (re)connect
    while not (lost.is_set() or stopping.is_set()):
        if not await wait_first(lost.wait(), stopping.wait(), within=_PING_SECONDS):
            # A socket can die silently (no FIN/RST): a query is the only way to notice.
            await conn.execute("SELECT 1", timeout=5)
    if lost.is_set():
        log.warning("outbox_listen_lost", error="connection terminated")


def _call(callback: Callable[[], None]) -> Callable[..., None]:
    """An asyncpg notification listener (connection, pid, channel, payload) that calls `callback()`."""

    def listener(*_: object) -> None:
        callback()

    return listener

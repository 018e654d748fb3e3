"""`emit(session, event)`: the only way to publish. The event row joins the caller's transaction; the relay
publishes it after commit. A rolled-back transaction takes its events with it.

Waking the relay: when this process runs a relay for the session's database, it is woken right after the commit
(`after_commit`), which costs nothing. Otherwise `NOTIFY abono_outbox` is sent inside the transaction, to wake the
relays of other processes at commit. NOTIFY is not free: PostgreSQL serialises the commits of notifying
transactions on a cluster-wide lock held across the WAL flush, so they lose group commit (measured here: 600-800
vs 2,700-3,600 commits/s with 16 connections; FIELD-NOTES). Relays of other replicas that missed the wake find
the rows at their next sweep.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from abono.db import new_metadata
from abono.events.base import Event
from abono.messaging.tables import OUTBOX_CHANNEL, messaging_tables
from abono.messaging.wake import database_key, local_relays

_outbox, _ = messaging_tables(new_metadata())
_NOTIFY = text(f"NOTIFY {OUTBOX_CHANNEL}")
_INSERT = insert(_outbox)  # built once: its cache key is then computed once, not at every emit
_WAKE_PENDING = "abono.outbox.wake_pending"


async def emit(session: AsyncSession, *events: Event) -> None:
    """Write `events` to the outbox inside the session's transaction and wake the relay at commit."""
    if not events:
        return
    await session.execute(
        _INSERT,
        [
            {"event_id": e.event_id, "routing_key": e.routing_key, "payload": e.envelope(), "lane": int(e.lane)}
            for e in events
        ],
    )
    await emit_written(session)


async def emit_written(session: AsyncSession) -> None:
    """Wake the relay at commit for outbox rows the caller wrote itself in the session's transaction (a bulk
    `INSERT ... SELECT`, as billing's renewal run does): what `emit` does after its insert."""
    key = database_key((await session.connection()).engine.url)
    if local_relays(key):
        session.info[_WAKE_PENDING] = key  # see _wake_after_commit
    else:
        await session.execute(_NOTIFY)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    # SQLAlchemy also dispatches after_commit when a savepoint is released: wait for the root transaction's commit
    # (waking the relay before it would find nothing, and the next wake-up is the sweep's).
    if session.get_nested_transaction() is not None:
        return
    key = session.info.pop(_WAKE_PENDING, None)
    if key is not None:
        for wake in local_relays(key):
            wake()

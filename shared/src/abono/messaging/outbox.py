"""`emit(session, event)`: the only way to publish. The event row joins the caller's transaction; the relay
publishes it after commit. A rolled-back transaction takes its events with it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import new_metadata
from abono.events.base import Event
from abono.messaging.tables import OUTBOX_CHANNEL, messaging_tables

_outbox, _ = messaging_tables(new_metadata())
_NOTIFY = text(f"NOTIFY {OUTBOX_CHANNEL}")


async def emit(session: AsyncSession, *events: Event) -> None:
    """Write `events` to the outbox inside the session's transaction and wake the relay at commit."""
    if not events:
        return
    await session.execute(
        insert(_outbox),
        [{"event_id": e.event_id, "routing_key": e.routing_key, "payload": e.envelope()} for e in events],
    )
    await session.execute(_NOTIFY)

"""The event the `event_bus` scenario sends, and its two databases' tables (producer: outbox; sink: inbox + effect)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import create_async_engine

from abono.db import new_metadata
from abono.events.base import Event
from abono.messaging.tables import messaging_tables
from abono.revocation import revocation_table

SOURCE = "benchsource"  # the producing "service" (outbox relay's name)
SINK = "benchsink"  # the consuming service; its queue is `benchsink.effects`
SINK_CONSUMER = "effects"
SINK_QUEUE = f"{SINK}.{SINK_CONSUMER}"
RAW_QUEUE = "bench.raw"
RAW_ROUTING_KEY = "bench.raw.sent"


class BenchPing(Event):
    """One benchmark event: `run` tells the sub-runs apart, `seq` numbers the events of a run from 0."""

    routing_key: ClassVar[str] = "bench.ping.sent"
    run: str
    seq: int
    pad: str = ""


def source_metadata() -> MetaData:
    metadata = new_metadata()
    messaging_tables(metadata)
    return metadata


sink_metadata = new_metadata()
messaging_tables(sink_metadata)
revocation_table(sink_metadata)  # every service keeps the revoked tokens (abono.revocation)
# No unique key on purpose: an event applied twice would show up as two rows (the inbox must prevent it).
effects = Table(
    "bench_effect",
    sink_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("run", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()),
)


async def create_tables(url: str, metadata: MetaData) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()

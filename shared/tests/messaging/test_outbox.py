"""`emit` writes the outbox row through the session's DBAPI cursor (#20 item 2): in the caller's transaction, the
stored payload is the event's envelope, several events keep the order given, and a database error is SQLAlchemy's
exception as from `session.execute`."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from abono.events.base import Lane
from abono.messaging import emit

from .support import Bus, outbox


async def _rows(bus: Bus) -> list[tuple[str, object, int]]:
    async with bus.engine.connect() as conn:
        query = select(outbox.c.event_id, outbox.c.payload, outbox.c.lane).order_by(outbox.c.id)
        return [(str(row.event_id), row.payload, row.lane) for row in await conn.execute(query)]


async def test_emitted_rows_hold_each_event_envelope_and_lane_in_the_order_given(bus: Bus) -> None:
    urgent = bus.ping(Lane.URGENT)
    alone = bus.Ping(label="alone")
    several = [bus.Ping(label="first"), urgent(label="second"), bus.Ping(label="third")]
    await bus.emit(alone)
    await bus.emit(*several)

    expected = [(str(e.event_id), e.envelope(), int(e.lane)) for e in (alone, *several)]
    assert await _rows(bus) == expected


async def test_an_emit_that_fails_raises_sqlalchemy_error_and_its_transaction_writes_nothing(bus: Bus) -> None:
    ping = bus.Ping(label="twice")
    with pytest.raises(IntegrityError):
        async with bus.sessionmaker() as session, session.begin():
            await emit(session, bus.Ping(label="before"))
            await emit(session, ping, ping)  # the same event_id twice: the outbox's unique key refuses it

    assert await _rows(bus) == []

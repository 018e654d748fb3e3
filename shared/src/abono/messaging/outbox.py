"""`emit(session, event)`: the only way to publish. The event row joins the caller's transaction; the relay
publishes it after commit. A rolled-back transaction takes its events with it.

Waking the relay: when this process runs a relay loop for the lane of a row it wrote (`abono.events.Lane`), that loop
is woken right after the commit (`after_commit`), which costs nothing. Otherwise `NOTIFY abono_outbox` is sent inside
the transaction, to wake the relays of other processes at commit. NOTIFY is not free: PostgreSQL serialises the
commits of notifying transactions on a cluster-wide lock held across the WAL flush, so they lose group commit
(measured here: 600-800 vs 2,700-3,600 commits/s with 16 connections; FIELD-NOTES). Relays of other replicas that
missed the wake find the rows at their next sweep.

The row is written through the session's own DBAPI cursor, in one greenlet switch, with SQL written once (issue 20
item 2): on the session's connection and in its transaction as before (the driver adapter begins it if this is the
transaction's first statement), without SQLAlchemy's Core execution per emit (cache key, execution context,
result): a one-event transaction (BEGIN, INSERT, COMMIT through `AsyncSession`) went from ~0.52 to ~0.38 ms of CPU.
The driver's errors are raised as SQLAlchemy's `DBAPIError` family, as from `session.execute`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from abono.events.base import Event, Lane
from abono.messaging.tables import OUTBOX_CHANNEL
from abono.messaging.wake import DatabaseKey, database_key, local_relays, outbox_channel, wake_at_commit

# The outbox of `abono.messaging.tables` (OUTBOX_TABLE).
_INSERT_ONE = "INSERT INTO outbox (event_id, routing_key, payload, lane) VALUES ($1, $2, $3::jsonb, $4)"
# Several events: one statement whatever their number, ids in the order given (a producer's per-aggregate order).
_INSERT_MANY = (
    "INSERT INTO outbox (event_id, routing_key, payload, lane) SELECT e, r, p::jsonb, l "
    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[]) WITH ORDINALITY AS t(e, r, p, l, n) ORDER BY n"
)
_NOTIFY = f"NOTIFY {OUTBOX_CHANNEL}"
_NOTIFIED = "abono.outbox.notified"  # session.info: the transaction (or savepoint) that sent its NOTIFY already


async def emit(session: AsyncSession, *events: Event) -> None:
    """Write `events` to the outbox inside the session's transaction and wake the relay at commit."""
    if not events:
        return
    params: tuple[Any, ...]
    if len(events) == 1:
        (e,) = events
        statement, params = _INSERT_ONE, (e.event_id, e.routing_key, e.envelope_json(), int(e.lane))
    else:
        statement = _INSERT_MANY
        params = (
            [e.event_id for e in events],
            [e.routing_key for e in events],
            [e.envelope_json() for e in events],
            [int(e.lane) for e in events],
        )
    await session.run_sync(_write, statement, params, frozenset(e.lane for e in events))


async def emit_written(session: AsyncSession, *lanes: Lane) -> None:
    """Wake the relay at commit for outbox rows of `lanes` the caller wrote itself in the session's transaction (a
    bulk `INSERT ... SELECT`, as billing's renewal run does): what `emit` does after its insert."""
    await session.run_sync(_write, None, (), frozenset(lanes))


def _write(session: Session, statement: str | None, params: tuple[Any, ...], lanes: frozenset[Lane]) -> None:
    """In the session's greenlet: `statement` (if any) on the session's connection, and the relay's wake-up at commit
    for rows of `lanes`: this process's loops of those lanes, else NOTIFY for the other processes' relays. A bulk row
    in a process that relays other lanes only (an app whose bulk lane has a worker process of its own) waits for the
    worker's sweep: its latency matters to nobody, and a NOTIFY costs its commit the group commit (above)."""
    connection = session.connection()
    key = database_key(connection.engine.url)
    unwoken: set[Lane] = set()
    for lane in lanes:
        if local_relays(key, lane):
            wake_at_commit(session, outbox_channel(lane), key)
        else:
            unwoken.add(lane)
    if unwoken - {Lane.BULK} or (unwoken and not _any_local_relay(key)):
        # Once a transaction (a dunning chunk emits thousands); a savepoint's own, as rolling it back drops its NOTIFY.
        transaction = session.get_nested_transaction() or session.get_transaction()
        if session.info.get(_NOTIFIED) is not transaction:
            session.info[_NOTIFIED] = transaction
            _execute(connection, _NOTIFY, ())
    if statement is not None:
        _execute(connection, statement, params)


def _any_local_relay(key: DatabaseKey) -> bool:
    return any(local_relays(key, lane) for lane in Lane)


def _execute(connection: Connection, statement: str, params: tuple[Any, ...]) -> None:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement, params)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, params, exc, connection.dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()


"""The outbox and inbox tables every service database has (same names, same shape).

Each service adds them to its own metadata with `messaging_tables(metadata)`, creates them in its first Alembic
revision with `create_messaging_tables()` (the first shape, without lanes) and adds the outbox's `lane` column in a
later one with `add_outbox_lanes()`. `urgent_unpublished(outbox)` is the one query for "an urgent row is unpublished"
(the relay's bulk pacing, billing's renewal pacer).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    exists,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Exists

from abono.db import new_metadata
from abono.events.base import Lane

OUTBOX_TABLE = "outbox"
INBOX_TABLE = "inbox"
# NOTIFY channel the relay LISTENs on; a NOTIFY sent inside a transaction is delivered at its commit.
OUTBOX_CHANNEL = "abono_outbox"
# The relay claims each lane's pending rows in id order through this index (issue 20).
PENDING_INDEX = "ix_outbox_pending_lane"
_PENDING_INDEX_V1 = "ix_outbox_pending"


def _lane_column() -> Column[int]:
    # Rows written before lanes existed, or by SQL that does not say, travel in the standard lane.
    return Column("lane", SmallInteger, nullable=False, server_default=text(str(int(Lane.STANDARD))))


def messaging_tables(metadata: MetaData, *, lanes: bool = True) -> tuple[Table, Table]:
    """Define (or return the already defined) outbox and inbox tables on `metadata`. `lanes=False` gives the
    first revision's shape, which `create_messaging_tables` creates and `add_outbox_lanes` brings up to date."""
    if OUTBOX_TABLE in metadata.tables:
        return metadata.tables[OUTBOX_TABLE], metadata.tables[INBOX_TABLE]
    pending = (
        [_lane_column(), Index(PENDING_INDEX, "lane", "id", postgresql_where=text("published_at IS NULL"))]
        if lanes
        else [Index(_PENDING_INDEX_V1, "id", postgresql_where=text("published_at IS NULL"))]
    )
    outbox = Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("routing_key", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        *pending,
    )
    inbox = Table(
        INBOX_TABLE,
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("routing_key", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    return outbox, inbox


def urgent_unpublished(outbox: Table, *, since: ColumnElement[datetime] | datetime | None = None) -> Exists:
    """EXISTS an urgent outbox row not published yet (waiting to be claimed, or claimed and waiting for its confirm:
    not locked, so rows other relays hold are seen too), created after `since` if given. Read through the partial
    index of pending rows (`PENDING_INDEX`), whatever the size of the published history."""
    pending = exists().where(outbox.c.published_at.is_(None), outbox.c.lane == int(Lane.URGENT))
    return pending if since is None else pending.where(outbox.c.created_at > since)


def create_messaging_tables() -> None:
    """For a service's first Alembic revision: create the outbox and inbox tables."""
    from alembic import op

    outbox, inbox = messaging_tables(new_metadata(), lanes=False)
    bind = op.get_bind()
    outbox.create(bind)
    inbox.create(bind)


def add_outbox_lanes() -> None:
    """For a service's revision after the first: the outbox's `lane` column, pending rows indexed by lane and id
    (the old index on id alone goes: the claim no longer uses it, and renewal runs pay for every index)."""
    from alembic import op

    op.add_column(OUTBOX_TABLE, _lane_column())
    op.create_index(PENDING_INDEX, OUTBOX_TABLE, ["lane", "id"], postgresql_where=text("published_at IS NULL"))
    op.drop_index(_PENDING_INDEX_V1, table_name=OUTBOX_TABLE)


def drop_outbox_lanes() -> None:
    from alembic import op

    op.create_index(_PENDING_INDEX_V1, OUTBOX_TABLE, ["id"], postgresql_where=text("published_at IS NULL"))
    op.drop_index(PENDING_INDEX, table_name=OUTBOX_TABLE)
    op.drop_column(OUTBOX_TABLE, "lane")


def drop_messaging_tables() -> None:
    from alembic import op

    op.drop_table(INBOX_TABLE)
    op.drop_table(OUTBOX_TABLE)

"""The outbox and inbox tables every service database has (same names, same shape).

Each service adds them to its own metadata with `messaging_tables(metadata)`, and creates them in its
first Alembic revision with `create_messaging_tables()`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from abono.db import new_metadata

OUTBOX_TABLE = "outbox"
INBOX_TABLE = "inbox"
# NOTIFY channel the relay LISTENs on; a NOTIFY sent inside a transaction is delivered at its commit.
OUTBOX_CHANNEL = "abono_outbox"


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Define (or return the already defined) outbox and inbox tables on `metadata`."""
    if OUTBOX_TABLE in metadata.tables:
        return metadata.tables[OUTBOX_TABLE], metadata.tables[INBOX_TABLE]
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
        Index("ix_outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
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


def create_messaging_tables() -> None:
    """For a service's first Alembic revision: create the outbox and inbox tables."""
    from alembic import op

    outbox, inbox = messaging_tables(new_metadata())
    bind = op.get_bind()
    outbox.create(bind)
    inbox.create(bind)


def drop_messaging_tables() -> None:
    from alembic import op

    op.drop_table(INBOX_TABLE)
    op.drop_table(OUTBOX_TABLE)

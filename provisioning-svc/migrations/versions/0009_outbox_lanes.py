"""Outbox lanes (issue 20): each row's lane (urgent, standard, bulk, from its event type in abono.events), pending
rows indexed by lane and id, so the relay drains an urgent event before any bulk backlog.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from abono.messaging.tables import add_outbox_lanes, drop_outbox_lanes

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_lanes()


def downgrade() -> None:
    drop_outbox_lanes()

"""Message lanes (issue 20 item 3): each message keeps its event's lane (0 urgent, 1 standard, 2 bulk) and the
sender's due index leads with it, so an urgent message is claimed before a bulk backlog of mail.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.add_column("messages", sa.Column("lane", sa.SmallInteger(), server_default=sa.text("1"), nullable=False))
    op.drop_index("ix_messages_due", table_name="messages")
    op.create_index("ix_messages_due", "messages", ["lane", "next_attempt_at"], postgresql_where=DUE)


def downgrade() -> None:
    op.drop_index("ix_messages_due", table_name="messages")
    op.create_index("ix_messages_due", "messages", ["next_attempt_at"], postgresql_where=DUE)
    op.drop_column("messages", "lane")

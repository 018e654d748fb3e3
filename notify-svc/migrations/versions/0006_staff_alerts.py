"""Staff alerts (issue 16, S-3): notify's roster of staff members (from the gateway's StaffRoleChanged), and one
message per (event, channel, person), since an escalated ticket is told to several staff members at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_members")),
    )
    op.create_unique_constraint(
        op.f("uq_messages_event_id_channel_client_id"), "messages", ["event_id", "channel", "client_id"]
    )
    op.drop_constraint(op.f("uq_messages_event_id_channel"), "messages", type_="unique")


def downgrade() -> None:
    op.create_unique_constraint(op.f("uq_messages_event_id_channel"), "messages", ["event_id", "channel"])
    op.drop_constraint(op.f("uq_messages_event_id_channel_client_id"), "messages", type_="unique")
    op.drop_table("staff_members")

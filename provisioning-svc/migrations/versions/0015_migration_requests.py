"""Hosting migration requests (P-8): the old server's access encrypted; "we migrate everything" opens a staff task,
which now may belong to no driver action.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("staff_tasks", "action_id", existing_type=sa.BigInteger(), nullable=True)
    op.create_table(
        "migration_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("access_encrypted", sa.Text(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("progress_note", sa.Text(), nullable=True),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_migration_requests"),
        sa.UniqueConstraint("task_id", name="uq_migration_requests_task_id"),
    )
    op.create_index("ix_migration_requests_service_id", "migration_requests", ["service_id"])
    op.create_index("ix_migration_requests_client_id", "migration_requests", ["client_id"])


def downgrade() -> None:
    op.drop_table("migration_requests")
    op.execute("DELETE FROM staff_tasks WHERE action_id IS NULL")
    op.alter_column("staff_tasks", "action_id", existing_type=sa.BigInteger(), nullable=False)

"""Closed accounts (B-17): `users.closed_at`, `users.closed_reason`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("closed_reason", sa.Text(), nullable=True))
    op.create_check_constraint("ck_users_closed_reason", "users", "(closed_at IS NULL) = (closed_reason IS NULL)")


def downgrade() -> None:
    op.drop_constraint("ck_users_closed_reason", "users", type_="check")
    op.drop_column("users", "closed_reason")
    op.drop_column("users", "closed_at")

"""A payment attempt withdrawn at its provider (a direct debit not collected, its invoice paid another way).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 20:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payment_attempts", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("payment_attempts", "withdrawn_at")

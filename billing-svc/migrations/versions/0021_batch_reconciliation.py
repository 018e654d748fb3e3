"""Reconciliation asks providers about open payment batches too (a pay-many checkout whose notification never
came): when each was last asked.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payment_batches", sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_payment_batches_status_checked_at", "payment_batches", ["status", "checked_at"])


def downgrade() -> None:
    op.drop_index("ix_payment_batches_status_checked_at", table_name="payment_batches")
    op.drop_column("payment_batches", "checked_at")

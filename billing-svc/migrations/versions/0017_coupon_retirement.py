"""Coupons an admin retires (#14 item 3): a retired coupon is refused at ordering but kept, with its uses.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("coupons", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("coupons", "retired_at")

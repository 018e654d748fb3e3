"""The renewal run's period claims with one index entry each instead of two (#20 item 4): `billing_periods` loses its
index by invoice, whose one reader (`release_periods`, when an invoice is cancelled) now finds the claims through the
invoice's lines and the claims' primary key (subscription, period start).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_billing_periods_invoice_id", table_name="billing_periods")


def downgrade() -> None:
    op.create_index("ix_billing_periods_invoice_id", "billing_periods", ["invoice_id"])

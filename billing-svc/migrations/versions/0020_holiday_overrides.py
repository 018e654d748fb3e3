"""The operator's holiday overrides (#14 item 5): this service's copy of support's calendar overrides, kept by
`abono.business_days.calendar_consumer`, so deadlines in business days follow them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from abono.business_days import TABLE, create_override_table

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_override_table()


def downgrade() -> None:
    op.drop_table(TABLE)

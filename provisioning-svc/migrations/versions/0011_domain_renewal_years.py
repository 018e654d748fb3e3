"""B-11 on domains (#21): the years a renewal invoice bills, from its line's cycle, so a cycle changed by the client
renews that many years at the registry.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("domain_renewals", sa.Column("years", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("domain_renewals", "years")

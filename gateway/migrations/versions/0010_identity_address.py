"""The postal address a client's invoices are made out to, sent with the identity verification (#15 item 6).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("identity_verifications", sa.Column("address", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("identity_verifications", "address")

"""The registrant's tax id (#21, .ar): NIC Argentina registers a name only to a holder identified by CUIT/CUIL (or, for
a non-resident, the id NIC Argentina issues).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("registrant_profiles", sa.Column("tax_id", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("registrant_profiles", "tax_id")

"""Token revocations (issue 11): the accounts whose access tokens this service refuses (abono.revocation).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from abono.revocation import TABLE, create_revocation_table

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_revocation_table()


def downgrade() -> None:
    op.drop_table(TABLE)

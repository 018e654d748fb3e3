"""Token revocations (issue 11): the accounts whose access tokens this service refuses (abono.revocation).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from abono.revocation import TABLE, create_revocation_table

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_revocation_table()


def downgrade() -> None:
    op.drop_table(TABLE)

"""A transfer offered to an e-mail no client has (issue 11: offering must not tell who is a client) has no recipient.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("service_transfers", "to_client_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM service_transfers WHERE to_client_id IS NULL")
    op.alter_column("service_transfers", "to_client_id", existing_type=sa.Uuid(), nullable=False)

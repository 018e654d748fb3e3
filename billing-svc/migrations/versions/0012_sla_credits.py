"""SLA credits (S-4 Decision): one per service and month, applied to the credit balance (B-10) once.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:37:46.090512
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_credits",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("credit_percent", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "month", name=op.f("pk_sla_credits")),
    )
    op.create_index(op.f("ix_sla_credits_client_id"), "sla_credits", ["client_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sla_credits_client_id"), table_name="sla_credits")
    op.drop_table("sla_credits")

"""Direct debit (B-21, #15 item 3): clients' mandates (Pagos360 adhesiones) and failed automatic charges, told once.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "direct_debit_mandates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("mandate_ref", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("state_detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_debit_mandates")),
        sa.UniqueConstraint("provider", "mandate_ref", name=op.f("uq_direct_debit_mandates_provider_mandate_ref")),
    )
    op.create_index(op.f("ix_direct_debit_mandates_client_id"), "direct_debit_mandates", ["client_id"], unique=False)
    op.create_index(
        "uq_direct_debit_mandates_live_client",
        "direct_debit_mandates",
        ["client_id"],
        unique=True,
        postgresql_where=sa.text("state <> 'cancelled'"),
    )
    op.create_table(
        "automatic_charge_failures",
        sa.Column("payment_key", sa.Text(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_automatic_charge_failures_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("payment_key", name=op.f("pk_automatic_charge_failures")),
    )
    op.create_index(op.f("ix_automatic_charge_failures_invoice_id"), "automatic_charge_failures", ["invoice_id"])
    op.create_index(op.f("ix_automatic_charge_failures_client_id"), "automatic_charge_failures", ["client_id"])


def downgrade() -> None:
    op.drop_table("automatic_charge_failures")
    op.drop_index("uq_direct_debit_mandates_live_client", table_name="direct_debit_mandates")
    op.drop_index(op.f("ix_direct_debit_mandates_client_id"), table_name="direct_debit_mandates")
    op.drop_table("direct_debit_mandates")

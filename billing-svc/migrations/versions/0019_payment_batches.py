"""Several invoices paid in one provider checkout, credit first (issue #13 item 3): payment batches and their invoices.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("provider_ref", sa.Text(), nullable=True),
        sa.Column("redirect_url", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batches")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_batches_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_batches_reference")),
    )
    op.create_index(op.f("ix_payment_batches_client_id"), "payment_batches", ["client_id"])
    op.create_table(
        "payment_batch_invoices",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["payment_batches.id"],
                                name=op.f("fk_payment_batch_invoices_batch_id_payment_batches")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"],
                                name=op.f("fk_payment_batch_invoices_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("batch_id", "invoice_id", name=op.f("pk_payment_batch_invoices")),
    )
    op.create_index(op.f("ix_payment_batch_invoices_invoice_id"), "payment_batch_invoices", ["invoice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_batch_invoices_invoice_id"), table_name="payment_batch_invoices")
    op.drop_table("payment_batch_invoices")
    op.drop_index(op.f("ix_payment_batches_client_id"), table_name="payment_batches")
    op.drop_table("payment_batches")

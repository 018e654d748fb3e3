"""B-21 automatic payment (issue #15 item 2): saved payment methods, the auto-pay switch, automatic charges.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_payment_methods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("customer_ref", sa.Text(), nullable=True),
        sa.Column("setup_ref", sa.Text(), nullable=True),
        sa.Column("redirect_url", sa.Text(), nullable=True),
        sa.Column("method_ref", sa.Text(), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_payment_methods")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_saved_payment_methods_idempotency_key")),
    )
    op.create_index("ix_saved_payment_methods_client_id_status", "saved_payment_methods", ["client_id", "status"])
    op.create_table(
        "autopay_switches",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("method_id", sa.Uuid(), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["saved_payment_methods.id"],
            name=op.f("fk_autopay_switches_method_id_saved_payment_methods"),
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_autopay_switches")),
    )
    op.create_index(op.f("ix_autopay_switches_method_id"), "autopay_switches", ["method_id"])
    op.create_table(
        "autopay_charges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("method_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("attempts_planned", sa.Integer(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("provider_payment_id", sa.Text(), nullable=True),
        sa.Column("failure_code", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_autopay_charges_invoice_id_invoices")),
        sa.ForeignKeyConstraint(
            ["method_id"], ["saved_payment_methods.id"], name=op.f("fk_autopay_charges_method_id_saved_payment_methods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autopay_charges")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_autopay_charges_idempotency_key")),
        sa.UniqueConstraint("invoice_id", "attempt", name=op.f("uq_autopay_charges_invoice_id_attempt")),
    )
    op.create_index(op.f("ix_autopay_charges_client_id"), "autopay_charges", ["client_id"])
    op.create_index(
        "ix_autopay_charges_pending",
        "autopay_charges",
        ["scheduled_on"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("autopay_charges")
    op.drop_table("autopay_switches")
    op.drop_table("saved_payment_methods")

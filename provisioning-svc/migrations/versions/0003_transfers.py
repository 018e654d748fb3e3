"""P-6 transfers: the clients' copy (verification), issued and cancelled invoices (unpaid check), service_transfers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSFER_STATES = "'pending', 'completed', 'cancelled', 'expired'"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _uuid(name: str, nullable: bool = False, **kw: object) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable, **kw)


def upgrade() -> None:
    op.create_table(
        "clients",
        _uuid("id", primary_key=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        _ts("profile_at"),
        _ts("email_verified_at"),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
    )
    op.create_index("ix_clients_lower_email", "clients", [sa.text("lower(email)")])

    op.create_table(
        "issued_invoices",
        _uuid("invoice_id", primary_key=True),
        _uuid("client_id"),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("has_unattributed_lines", sa.Boolean(), nullable=False),
        _ts("issued_at", False),
        _uuid("event_id"),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_issued_invoices"),
    )
    op.create_index("ix_issued_invoices_client_id", "issued_invoices", ["client_id"])

    op.create_table(
        "invoice_services",
        _uuid("invoice_id"),
        _uuid("service_id"),
        sa.PrimaryKeyConstraint("invoice_id", "service_id", name="pk_invoice_services"),
    )
    op.create_index("ix_invoice_services_service_id", "invoice_services", ["service_id"])

    op.create_table(
        "cancelled_invoices",
        _uuid("invoice_id", primary_key=True),
        _uuid("client_id"),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("cancelled_at", False),
        _uuid("event_id"),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_cancelled_invoices"),
    )

    op.create_table(
        "service_transfers",
        _uuid("id", primary_key=True),
        _uuid("service_id"),
        _uuid("from_client_id"),
        _uuid("to_client_id"),
        sa.Column("from_email", sa.Text(), nullable=True),
        sa.Column("to_email", sa.Text(), nullable=True),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        _ts("requested_at", False),
        _ts("expires_at", False),
        _ts("accepted_at"),
        _ts("cancelled_at"),
        _uuid("cancelled_by", True),
        _uuid("event_id", True),
        sa.PrimaryKeyConstraint("id", name="pk_service_transfers"),
        sa.CheckConstraint(f"status IN ({TRANSFER_STATES})", name="ck_service_transfers_status"),
        sa.CheckConstraint("from_client_id <> to_client_id", name="ck_service_transfers_two_clients"),
    )
    op.create_index("ix_service_transfers_service_id", "service_transfers", ["service_id"])
    op.create_index("ix_service_transfers_from_client_id", "service_transfers", ["from_client_id"])
    op.create_index("ix_service_transfers_to_client_id", "service_transfers", ["to_client_id"])
    # One pending request per service at a time (the service's lock orders requests; this is the backstop).
    op.create_index("uq_service_transfers_pending", "service_transfers", ["service_id"], unique=True,
                    postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    for table in ("service_transfers", "cancelled_invoices", "invoice_services", "issued_invoices", "clients"):
        op.drop_table(table)

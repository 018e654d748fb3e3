"""The staff console (issue 14): indexes for the search box and the invoice list's filters and figures.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    # Part of a payment reference or an invoice number, as quoted on a bank statement or read on the phone.
    "ix_invoices_payment_reference_trgm": "invoices USING gin (payment_reference gin_trgm_ops)",
    "ix_invoices_number_trgm": "invoices USING gin (number gin_trgm_ops)",
    "ix_transfer_reports_reference_trgm": "transfer_reports USING gin (upper(reference) gin_trgm_ops)",
    "ix_invoices_total_minor": "invoices (total_minor)",
    "ix_invoices_issued_at": "invoices (issued_at)",
    "ix_payments_received_at": "payments (received_at)",
}


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")

"""Whom a client's invoices are made out to (#15 item 6): the legal name, tax id and address the gateway's identity
verification approved (`ClientInvoicingIdentityChanged`), and when billing learnt them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("clients", sa.Column("legal_name", sa.Text(), nullable=True))
    op.add_column("clients", sa.Column("tax_id", sa.Text(), nullable=True))
    op.add_column("clients", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("clients", sa.Column("invoicing_identity_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in ("invoicing_identity_at", "address", "tax_id", "legal_name"):
        op.drop_column("clients", column)

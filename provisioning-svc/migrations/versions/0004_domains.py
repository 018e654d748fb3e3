"""Domains (D-1..D-3): domains, domain_renewals, registrant_profiles; registrar action kinds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "'create', 'suspend', 'unsuspend', 'terminate', 'change_package'"
KINDS = OLD_KINDS + ", 'renew', 'set_nameservers', 'set_contact', 'lock', 'unlock', 'sync'"
STATUSES = "'pending', 'awaiting_contact', 'registering', 'transferring', 'active', 'expired', 'deleted', 'gone'"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def upgrade() -> None:
    op.drop_constraint("ck_driver_actions_kind", "driver_actions", type_="check")
    op.create_check_constraint("ck_driver_actions_kind", "driver_actions", f"kind IN ({KINDS})")
    op.create_table(
        "domains",
        sa.Column("service_id", UUID(as_uuid=True), nullable=False),
        sa.Column("client_id", UUID(as_uuid=True), nullable=False),
        _text("name"),
        _text("operation"),
        _text("status"),
        sa.Column("years", sa.Integer(), nullable=False),
        _text("epp_code_encrypted", True),
        sa.Column("nameservers", ARRAY(sa.Text()), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        _text("registrar_order_id", True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("registry_nameservers", ARRAY(sa.Text()), nullable=False),
        _ts("synced_at"),
        _ts("sync_due_at"),
        _ts("deleted_at"),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("service_id", name="pk_domains"),
        sa.CheckConstraint("operation IN ('register', 'transfer')", name="ck_domains_operation"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_domains_status"),
    )
    op.create_index("ix_domains_client_id", "domains", ["client_id"])
    op.create_index("ix_domains_name", "domains", ["name"])
    op.create_index("ix_domains_sync_due_at", "domains", ["sync_due_at"],
                    postgresql_where=sa.text("sync_due_at IS NOT NULL"))
    op.create_index("ix_domains_expires_on", "domains", ["expires_on"])
    op.create_table(
        "domain_renewals",
        sa.Column("service_id", UUID(as_uuid=True), nullable=False),
        sa.Column("invoice_id", UUID(as_uuid=True), nullable=False),
        _ts("issued_at"),
        _ts("paid_at"),
        _ts("queued_at"),
        _ts("renewed_at"),
        sa.Column("expires_on_after", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("service_id", "invoice_id", name="pk_domain_renewals"),
    )
    op.create_index("ix_domain_renewals_invoice_id", "domain_renewals", ["invoice_id"])
    op.create_table(
        "registrant_profiles",
        sa.Column("client_id", UUID(as_uuid=True), nullable=False),
        *(_text(c) for c in ("name", "company", "email", "address", "city", "state", "postal_code", "country",
                             "phone_cc", "phone")),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("client_id", name="pk_registrant_profiles"),
    )


def downgrade() -> None:
    for table in ("registrant_profiles", "domain_renewals", "domains"):
        op.drop_table(table)
    op.execute(sa.text(f"DELETE FROM driver_actions WHERE kind NOT IN ({OLD_KINDS})"))  # noqa: S608 - constants
    op.drop_constraint("ck_driver_actions_kind", "driver_actions", type_="check")
    op.create_check_constraint("ck_driver_actions_kind", "driver_actions", f"kind IN ({OLD_KINDS})")

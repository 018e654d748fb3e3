"""Service instances, audit, suspension holds, settled invoices, upgrades, access data, driver actions, staff tasks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "'pending', 'active', 'suspended', 'terminated', 'cancelled', 'fraud'"
KINDS = "'create', 'suspend', 'unsuspend', 'terminate', 'change_package'"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _uuid(name: str, nullable: bool = False, **kw: object) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable, **kw)


def upgrade() -> None:
    op.create_table(
        "services",
        _uuid("id", primary_key=True),
        _uuid("client_id"),
        sa.Column("state", sa.Text(), nullable=False),
        _uuid("product_id"),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("cycle", sa.Text(), nullable=False),
        sa.Column("activation", sa.Text(), nullable=False),
        sa.Column("driver", sa.Text(), nullable=False),
        sa.Column("driver_settings", JSONB(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=True),
        _uuid("order_invoice_id"),
        _ts("activation_requested_at"),
        _ts("activated_at"),
        _ts("suspended_at"),
        _ts("ended_at"),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
        sa.CheckConstraint(f"state IN ({STATES})", name="ck_services_state"),
        sa.CheckConstraint("activation IN ('automatic', 'manual')", name="ck_services_activation"),
    )
    op.create_index("ix_services_client_id", "services", ["client_id"])
    op.create_index("ix_services_order_invoice_id", "services", ["order_invoice_id"])

    op.create_table(
        "service_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        _uuid("service_id"),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("from_state", sa.Text(), nullable=True),
        sa.Column("to_state", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=True),
        _uuid("invoice_id", True),
        _uuid("cause_event_id", True),
        _uuid("event_id", True),
        _uuid("actor_id", True),
        sa.Column("note", sa.Text(), nullable=True),
        _ts("at", False),
        sa.PrimaryKeyConstraint("id", name="pk_service_audit"),
    )
    op.create_index("ix_service_audit_service_id", "service_audit", ["service_id"])

    op.create_table(
        "suspension_holds",
        _uuid("service_id"),
        _uuid("invoice_id"),
        sa.Column("rule", sa.Text(), nullable=False),
        _uuid("cause_event_id"),
        _ts("created_at", False),
        _ts("released_at"),
        _uuid("released_by_event_id", True),
        sa.PrimaryKeyConstraint("service_id", "invoice_id", name="pk_suspension_holds"),
    )
    op.create_index("ix_suspension_holds_invoice_id", "suspension_holds", ["invoice_id"])

    op.create_table(
        "settled_invoices",
        _uuid("invoice_id", primary_key=True),
        _uuid("client_id"),
        _ts("paid_at", False),
        _uuid("event_id"),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_settled_invoices"),
    )

    op.create_table(
        "upgrades",
        _uuid("id", primary_key=True),
        _uuid("service_id", True),
        _uuid("to_product_id", True),
        sa.Column("to_product_code", sa.Text(), nullable=True),
        sa.Column("to_product_name", sa.Text(), nullable=True),
        sa.Column("to_driver_settings", JSONB(), nullable=True),
        _uuid("invoice_id", True),
        _ts("requested_at"),
        _ts("paid_at"),
        _ts("applying_at"),
        _ts("applied_at"),
        sa.PrimaryKeyConstraint("id", name="pk_upgrades"),
    )

    op.create_table(
        "service_access",
        _uuid("service_id", primary_key=True),
        sa.Column("panel_url", sa.Text(), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("manual_url", sa.Text(), nullable=True),
        sa.Column("downloads", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("service_id", name="pk_service_access"),
    )

    op.create_table(
        "driver_actions",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        _uuid("service_id"),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("driver", sa.Text(), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _ts("next_attempt_at", False),
        _ts("last_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("created_at", False),
        _ts("done_at"),
        sa.PrimaryKeyConstraint("id", name="pk_driver_actions"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="ck_driver_actions_kind"),
        sa.CheckConstraint("status IN ('pending', 'done')", name="ck_driver_actions_status"),
    )
    op.create_index("ix_driver_actions_service_id", "driver_actions", ["service_id"])
    op.create_index("ix_driver_actions_due", "driver_actions", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "staff_tasks",
        _uuid("id", primary_key=True),
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        _uuid("service_id"),
        _uuid("client_id"),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("product_kind", sa.Text(), nullable=False),
        _ts("opened_at", False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _ts("completed_at"),
        _uuid("completed_by", True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_tasks"),
        sa.UniqueConstraint("action_id", name="uq_staff_tasks_action_id"),
    )
    op.create_index("ix_staff_tasks_service_id", "staff_tasks", ["service_id"])
    op.create_index("ix_staff_tasks_open", "staff_tasks", ["due_on"], postgresql_where=sa.text("completed_at IS NULL"))


def downgrade() -> None:
    for table in ("staff_tasks", "driver_actions", "service_access", "upgrades", "settled_invoices",
                  "suspension_holds", "service_audit", "services"):
        op.drop_table(table)

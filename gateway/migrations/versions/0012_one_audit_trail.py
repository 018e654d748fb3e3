"""One audit trail at the gateway (#13): the second-factor and security-policy entries of `audit_log` join the staff
actions in `staff_audit` (who by id and email, when, the details), in their order; `audit_log` is dropped. Both
tables had the columns of `abono.db.AuditColumns`; the TOTP entries concern no client (`client_id` null) and take
the actor's email from `users` (empty if the account is gone).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What `audit_log` held (gateway.totp): the downgrade moves these back.
_TOTP_ROWS = "FROM staff_audit WHERE action LIKE 'totp\\_%' OR action = 'security_policy_set'"


def upgrade() -> None:
    op.execute(
        "INSERT INTO staff_audit (actor_id, actor_email, action, client_id, details, at) "
        "SELECT a.actor_id, coalesce(u.email, ''), a.action, NULL, a.details, a.at "
        "FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id"
    )
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")
    op.drop_table("audit_log")


def downgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"])
    op.execute(
        "INSERT INTO audit_log (actor_id, action, details, at) SELECT actor_id, action, details, at "
        + _TOTP_ROWS
        + " ORDER BY id"
    )
    op.execute("DELETE " + _TOTP_ROWS)

"""Status page (S-4): servers with their probe, incidents and updates, maintenance, month-end SLA credits; which
server each client service sits on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:34:53.011757
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "servers",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("probe_kind", sa.Text(), nullable=True),
        sa.Column("probe_target", sa.Text(), nullable=True),
        sa.Column("probe_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("probe_timeout_seconds", sa.Float(), nullable=False),
        sa.Column("failures_to_open", sa.Integer(), nullable=False),
        sa.Column("successes_to_resolve", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("consecutive_successes", sa.Integer(), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_servers")),
    )
    op.create_table(
        "sla_credits",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("server_name", sa.Text(), nullable=False),
        sa.Column("downtime_minutes", sa.Integer(), nullable=False),
        sa.Column("uptime_percent", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("credit_percent", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "month", name=op.f("pk_sla_credits")),
    )
    op.create_index(op.f("ix_sla_credits_client_id"), "sla_credits", ["client_id"], unique=False)
    op.create_table(
        "sla_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_sla_months")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("server_name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["server_name"], ["servers.name"], name=op.f("fk_incidents_server_name_servers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_server_name"), "incidents", ["server_name"], unique=False)
    op.create_table(
        "maintenances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("server_name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["server_name"], ["servers.name"], name=op.f("fk_maintenances_server_name_servers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenances")),
    )
    op.create_index(op.f("ix_maintenances_server_name"), "maintenances", ["server_name"], unique=False)
    op.create_table(
        "incident_updates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_updates_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_updates")),
    )
    op.create_index(op.f("ix_incident_updates_incident_id"), "incident_updates", ["incident_id"], unique=False)
    op.add_column("client_services", sa.Column("server", sa.Text(), nullable=True))
    op.create_index(op.f("ix_client_services_server"), "client_services", ["server"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_client_services_server"), table_name="client_services")
    op.drop_column("client_services", "server")
    op.drop_index(op.f("ix_incident_updates_incident_id"), table_name="incident_updates")
    op.drop_table("incident_updates")
    op.drop_index(op.f("ix_maintenances_server_name"), table_name="maintenances")
    op.drop_table("maintenances")
    op.drop_index(op.f("ix_incidents_server_name"), table_name="incidents")
    op.drop_table("incidents")
    op.drop_table("sla_months")
    op.drop_index(op.f("ix_sla_credits_client_id"), table_name="sla_credits")
    op.drop_table("sla_credits")
    op.drop_table("servers")

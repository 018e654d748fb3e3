"""The staff console (issue 14): indexes for the search box (domain, panel username) and the service lists.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_services_domain_trgm": "services USING gin (lower(domain) gin_trgm_ops)",
    "ix_service_access_username_trgm": "service_access USING gin (lower(username) gin_trgm_ops)",
    "ix_services_state_driver": "services (state, driver)",
    "ix_driver_actions_pending": "driver_actions (status, attempts) WHERE status = 'pending'",
}


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")

"""The console's search box (issue 14 item 1): a query of one or two letters has no trigram for the trigram indexes to
look up (every service was read, ~180 ms on 100k services), so it matches the start of a domain, by a b-tree prefix
index on `lower(domain)` (`text_pattern_ops`: `LIKE 'q%'` in any collation).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_services_domain_prefix ON services (lower(domain) text_pattern_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_services_domain_prefix")

"""The console's search box (issue 14 item 1): the start of an e-mail (`ana.perez@`) by a b-tree prefix index on
`lower(email)` (`text_pattern_ops`, so `LIKE 'q%'` uses it in any collation) instead of the trigram index, which
reads a posting list per trigram of a long e-mail (bench staff_search: ~5 ms of buffers against ~0.1 ms).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_users_email_prefix ON users (lower(email) text_pattern_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_users_email_prefix")

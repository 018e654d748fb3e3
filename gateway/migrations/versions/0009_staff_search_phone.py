"""The console's phone search (issue 14 item 1): the phone's digits as a stored column with a trigram index, so
`LIKE '%digits%'` is an index scan (0007's b-tree on the expression served only equality, and the planner priced
`regexp_replace` on every row as free, so it read the whole table).

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

_DIGITS = "regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')"


def upgrade() -> None:
    op.execute("DROP INDEX ix_users_phone_digits")
    op.execute(f"ALTER TABLE users ADD COLUMN phone_digits text GENERATED ALWAYS AS ({_DIGITS}) STORED")
    op.execute("CREATE INDEX ix_users_phone_digits_trgm ON users USING gin (phone_digits gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_users_phone_digits_trgm")
    op.execute("ALTER TABLE users DROP COLUMN phone_digits")
    op.execute(f"CREATE INDEX ix_users_phone_digits ON users ({_DIGITS})")

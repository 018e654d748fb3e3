"""D-1 TLD price list: register and transfer prices per domain product, cycle and currency.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'tld_prices',
        sa.Column('product_id', sa.Uuid(), nullable=False),
        sa.Column('cycle', sa.Text(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('register_minor', sa.BigInteger(), nullable=False),
        sa.Column('transfer_minor', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_tld_prices_product_id_products'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'cycle', 'currency', name=op.f('pk_tld_prices')),
        sa.CheckConstraint('register_minor >= 0 AND transfer_minor >= 0', name=op.f('ck_tld_prices_not_negative')),
    )


def downgrade() -> None:
    op.drop_table('tld_prices')

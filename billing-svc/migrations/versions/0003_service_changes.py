"""Service changes: the renew switch (B-15) and upgrades (B-14).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('subscriptions', sa.Column('renew', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('upgrades',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('subscription_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('from_product_id', sa.Uuid(), nullable=False),
    sa.Column('to_product_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'],
                            name=op.f('fk_upgrades_subscription_id_subscriptions')),
    sa.ForeignKeyConstraint(['from_product_id'], ['products.id'], name=op.f('fk_upgrades_from_product_id_products')),
    sa.ForeignKeyConstraint(['to_product_id'], ['products.id'], name=op.f('fk_upgrades_to_product_id_products')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_upgrades_invoice_id_invoices'),
                            deferrable=True, initially='DEFERRED'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upgrades'))
    )
    op.create_index(op.f('ix_upgrades_invoice_id'), 'upgrades', ['invoice_id'], unique=False)
    # B-14: at most one upgrade waiting for its payment per service.
    op.create_index('ux_upgrades_requested_subscription', 'upgrades', ['subscription_id'], unique=True,
                    postgresql_where=sa.text("status = 'requested'"))


def downgrade() -> None:
    op.drop_index('ux_upgrades_requested_subscription', table_name='upgrades')
    op.drop_index(op.f('ix_upgrades_invoice_id'), table_name='upgrades')
    op.drop_table('upgrades')
    op.drop_column('subscriptions', 'renew')

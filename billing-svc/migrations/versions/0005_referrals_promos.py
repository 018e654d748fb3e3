"""Referral free month and 2x1 (B-12, F-4): the client's referral code and referrer, referral rewards, 2x1 orders
and pairs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERRAL_CODE_SQL = "upper(substr(replace(id::text, '-', ''), 1, 12))"  # = billing.clients.models


def upgrade() -> None:
    op.add_column('clients', sa.Column('referral_code', sa.Text(), sa.Computed(REFERRAL_CODE_SQL, persisted=True),
                                       nullable=False))
    op.create_unique_constraint(op.f('uq_clients_referral_code'), 'clients', ['referral_code'])
    op.add_column('clients', sa.Column('referred_by_code', sa.Text(), nullable=True))
    op.add_column('clients', sa.Column('referrer_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_clients_referrer_id'), 'clients', ['referrer_id'], unique=False)
    op.create_table('referral_rewards',
    sa.Column('referred_id', sa.Uuid(), nullable=False),
    sa.Column('referrer_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('earned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_referral_rewards_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_referral_rewards_product_id_products')),
    sa.PrimaryKeyConstraint('referred_id', name=op.f('pk_referral_rewards'))
    )
    op.create_index(op.f('ix_referral_rewards_referrer_id'), 'referral_rewards', ['referrer_id'], unique=False)
    op.create_table('two_for_one_orders',
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('cycle', sa.Text(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_two_for_one_orders_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_two_for_one_orders_product_id_products')),
    sa.PrimaryKeyConstraint('invoice_id', 'product_id', 'cycle', name=op.f('pk_two_for_one_orders'))
    )
    op.create_index(op.f('ix_two_for_one_orders_client_id'), 'two_for_one_orders', ['client_id'], unique=False)
    op.create_index(op.f('ix_two_for_one_orders_partner_id'), 'two_for_one_orders', ['partner_id'], unique=False)
    op.create_table('two_for_one_pairs',
    sa.Column('client_low', sa.Uuid(), nullable=False),
    sa.Column('client_high', sa.Uuid(), nullable=False),
    sa.Column('first_invoice_id', sa.Uuid(), nullable=False),
    sa.Column('free_invoice_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('cycle', sa.Text(), nullable=False),
    sa.Column('paired_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_invoice_id'], ['invoices.id'],
                            name=op.f('fk_two_for_one_pairs_first_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['free_invoice_id'], ['invoices.id'],
                            name=op.f('fk_two_for_one_pairs_free_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_two_for_one_pairs_product_id_products')),
    sa.PrimaryKeyConstraint('client_low', 'client_high', name=op.f('pk_two_for_one_pairs'))
    )


def downgrade() -> None:
    op.drop_table('two_for_one_pairs')
    op.drop_index(op.f('ix_two_for_one_orders_partner_id'), table_name='two_for_one_orders')
    op.drop_index(op.f('ix_two_for_one_orders_client_id'), table_name='two_for_one_orders')
    op.drop_table('two_for_one_orders')
    op.drop_index(op.f('ix_referral_rewards_referrer_id'), table_name='referral_rewards')
    op.drop_table('referral_rewards')
    op.drop_index(op.f('ix_clients_referrer_id'), table_name='clients')
    op.drop_column('clients', 'referrer_id')
    op.drop_column('clients', 'referred_by_code')
    op.drop_constraint(op.f('uq_clients_referral_code'), 'clients', type_='unique')
    op.drop_column('clients', 'referral_code')

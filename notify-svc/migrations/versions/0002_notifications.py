"""Contacts, services, parked events, preferences, messages (the sender's queue), links and status reports (N-1..N-3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('client_services',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('domain', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_client_services'))
    )
    op.create_index(op.f('ix_client_services_client_id'), 'client_services', ['client_id'], unique=False)
    op.create_table('parked_events',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('routing_key', sa.Text(), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('parked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_parked_events'))
    )
    op.create_index(op.f('ix_parked_events_client_id'), 'parked_events', ['client_id'], unique=False)
    op.create_table('contacts',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_contacts'))
    )
    op.create_table('messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('template_params', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('provider_message_id', sa.Text(), nullable=True),
    sa.Column('tracking_token', sa.Text(), nullable=True),
    sa.Column('open_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('first_opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('event_id', 'channel', name=op.f('uq_messages_event_id_channel')),
    sa.UniqueConstraint('tracking_token', name=op.f('uq_messages_tracking_token'))
    )
    op.create_index('ix_messages_client_id_created_at', 'messages', ['client_id', 'created_at'], unique=False)
    op.create_index('ix_messages_due', 'messages', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status IN ('pending', 'sending')"))
    op.create_index(op.f('ix_messages_provider_message_id'), 'messages', ['provider_message_id'], unique=False)
    op.create_table('preferences',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('whatsapp_opt_out', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('marketing_opt_out', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_preferences'))
    )
    op.create_table('message_links',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.Uuid(), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('click_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('first_clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_links_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_links')),
    sa.UniqueConstraint('message_id', 'url', name=op.f('uq_message_links_message_id_url')),
    sa.UniqueConstraint('token', name=op.f('uq_message_links_token'))
    )
    op.create_table('message_status_reports',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_status_reports_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_status_reports')),
    sa.UniqueConstraint('message_id', 'status', name=op.f('uq_message_status_reports_message_id_status'))
    )


def downgrade() -> None:
    op.drop_table('message_status_reports')
    op.drop_table('message_links')
    op.drop_table('preferences')
    op.drop_index(op.f('ix_messages_provider_message_id'), table_name='messages')
    op.drop_index('ix_messages_due', table_name='messages', postgresql_where=sa.text("status IN ('pending', 'sending')"))
    op.drop_index('ix_messages_client_id_created_at', table_name='messages')
    op.drop_table('messages')
    op.drop_table('contacts')
    op.drop_index(op.f('ix_parked_events_client_id'), table_name='parked_events')
    op.drop_table('parked_events')
    op.drop_index(op.f('ix_client_services_client_id'), table_name='client_services')
    op.drop_table('client_services')

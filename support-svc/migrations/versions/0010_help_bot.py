"""Help bot (S-8): conversations and their turns (with the articles offered), the ticket a conversation became.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:44:48.479630
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_bot_conversations_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_conversations")),
    )
    op.create_index(op.f("ix_bot_conversations_client_id"), "bot_conversations", ["client_id"], unique=False)
    op.create_table(
        "bot_turns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("article_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["bot_conversations.id"], name=op.f("fk_bot_turns_conversation_id_bot_conversations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_turns")),
    )
    op.create_index(op.f("ix_bot_turns_conversation_id"), "bot_turns", ["conversation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bot_turns_conversation_id"), table_name="bot_turns")
    op.drop_table("bot_turns")
    op.drop_index(op.f("ix_bot_conversations_client_id"), table_name="bot_conversations")
    op.drop_table("bot_conversations")

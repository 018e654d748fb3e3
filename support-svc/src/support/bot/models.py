"""S-8 help bot: a conversation with the client, each turn kept (with the articles the bot offered), handed to a
ticket when the knowledge base did not solve it."""

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, DateTime, ForeignKey, Integer, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from support.db import Base


class BotConversation(Base):
    __tablename__ = "bot_conversations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)  # open | solved | handed_off
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BotTurn(Base):
    __tablename__ = "bot_turns"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bot_conversations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(Text)  # client | bot
    text: Mapped[str] = mapped_column(Text)
    article_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))  # what the bot offered in this turn
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

"""S-5 ideas board: clients post ideas and vote once each; 4 votes approve an idea; staff plan and ship them."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from support.db import Base


class Idea(Base):
    __tablename__ = "ideas"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)  # who posted it
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)  # open | approved | planned | shipped
    votes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    planned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdeaVote(Base):
    """One vote per client and idea (the primary key)."""

    __tablename__ = "idea_votes"

    idea_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

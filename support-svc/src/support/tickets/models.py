import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import trigram_index
from support.db import Base


class TicketStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    WAITING_ON_CLIENT = "waiting_on_client"
    CLOSED = "closed"


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"  # a deadline's warning was flagged
    URGENT = "urgent"  # a deadline was breached


PRIORITY_RANK = {Priority.NORMAL: 0, Priority.HIGH: 1, Priority.URGENT: 2}


class Ticket(Base):
    """S-1 / S-3: a contact, its code, its status and its two SLA clocks."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_open_deadlines", "first_response_due_at", "resolution_due_at",
              postgresql_where=text("status <> 'closed' AND merged_into IS NULL")),
        trigram_index("ix_tickets_subject_trgm", "lower(subject)"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(Text)
    sla_class: Mapped[str] = mapped_column(Text)
    plan: Mapped[str] = mapped_column(Text)  # the client's support plan when the ticket was opened
    service_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(Text)  # panel | email | whatsapp
    status: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(Text)
    assigned_to: Mapped[uuid.UUID | None]
    merged_into: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The resolution clock: running since `resolution_started_at` with `resolution_spent_seconds` counted before
    # its last pause; `resolution_due_at` is null while it stands (waiting on the client, closed).
    resolution_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_spent_seconds: Mapped[int] = mapped_column(Integer, default=0)
    resolution_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TicketMessage(Base):
    __tablename__ = "ticket_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), index=True)
    author: Mapped[str] = mapped_column(Text)  # client | staff
    author_id: Mapped[uuid.UUID | None]
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # staff notes: never shown to the client
    channel: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(Text, unique=True)  # Message-ID / wamid: an inbound one once
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ticket_messages.id"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(Text)  # what the content is, sniffed, not what the name says
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SlaFlag(Base):
    """One warning and one breach per deadline instant: the unique key makes the scheduler's decision once-only,
    whatever the number of replicas."""

    __tablename__ = "sla_flags"
    __table_args__ = (UniqueConstraint("ticket_id", "deadline", "stage", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"))
    deadline: Mapped[str] = mapped_column(Text)  # first_response | resolution
    stage: Mapped[str] = mapped_column(Text)  # warning | breach
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CannedReply(Base):
    __tablename__ = "canned_replies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text, unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalendarOverride(Base):
    """S-2: staff overrides of the holidays calendar: a day off added, or a bridge day worked."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)  # day_off | working_day
    note: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[uuid.UUID | None]
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who changed a business setting of support (S-2 calendar overrides), when, from what to what (#14 item 5)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

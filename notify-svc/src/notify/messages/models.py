"""Messages: one row per (event, channel, person) (N-3 "never twice"; a client event has one person, a staff alert
one per staff member told), the sender's durable queue and the proof of delivery."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, SmallInteger, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Channel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    PANEL = "panel"


class Status(StrEnum):
    PENDING = "pending"  # waiting for the sender (first try or a retry at next_attempt_at)
    SENDING = "sending"  # claimed by a sender until lease_expires_at
    SENT = "sent"  # accepted by the SMTP relay / WhatsApp
    DELIVERED = "delivered"  # WhatsApp: on the phone; panel: in the inbox
    READ = "read"  # WhatsApp: read receipt; panel: marked read
    FAILED = "failed"  # given up (attempts spent or a permanent refusal): shown to staff


# Delivery only moves forward: a late "delivered" never undoes "read".
STATUS_RANK = {Status.PENDING: 0, Status.SENDING: 1, Status.SENT: 2, Status.DELIVERED: 3, Status.READ: 4}


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", "client_id"),
        Index("ix_messages_client_id_created_at", "client_id", "created_at"),
        # The sender's claim: due messages of the earliest lane first (urgent before a bulk backlog, issue 20).
        Index("ix_messages_due", "lane", "next_attempt_at",
              postgresql_where=text("status IN ('pending', 'sending')")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID]  # the person told: a client, or a staff member (staff alerts)
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(Text)
    # The event's lane (`abono.events.Lane`: 0 urgent, 1 standard, 2 bulk): the sender serves earlier lanes first.
    lane: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    kind: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)  # e-mail address or phone; None for the panel
    language: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template_params: Mapped[list[Any] | None] = mapped_column(JSONB)  # WhatsApp template mode
    status: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(Text, index=True)
    tracking_token: Mapped[str | None] = mapped_column(Text, unique=True)
    open_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    first_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MessageLink(Base):
    """A rewritten link of an e-mail: its unguessable token, the real URL, and its clicks (N-3)."""

    __tablename__ = "message_links"
    __table_args__ = (UniqueConstraint("message_id", "url"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text)
    click_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    first_clicked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_clicked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StatusReport(Base):
    """Each status a provider reported (WhatsApp's webhook), once: the delivery timeline staff see."""

    __tablename__ = "message_status_reports"
    __table_args__ = (UniqueConstraint("message_id", "status"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the provider's timestamp
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str | None] = mapped_column(Text)

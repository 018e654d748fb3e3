import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Contact(Base):
    """notify's copy of a client's contact data, kept from the gateway's events (no call back)."""

    __tablename__ = "contacts"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClientService(Base):
    """Name and domain of each ordered service, so suspension and reactivation messages can name it."""

    __tablename__ = "client_services"

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(Text)


class ParkedEvent(Base):
    """An event for a client notify has no contact for yet (its registration not applied): kept here, not retried
    through the queue, and turned into messages as soon as the client's profile arrives."""

    __tablename__ = "parked_events"

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    routing_key: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    parked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

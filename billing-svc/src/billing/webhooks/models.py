"""Provider notifications, stored raw once per (provider, external id) before any processing, and chargebacks."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class ProviderEvent(Base):
    __tablename__ = "provider_events"
    __table_args__ = (UniqueConstraint("provider", "external_id"),
                      Index("ix_provider_events_unprocessed", "next_attempt_at",
                            postgresql_where="processed_at IS NULL"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)  # Stripe's event id; MercadoPago's x-request-id
    event_type: Mapped[str] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(Text)  # MercadoPago's signed data.id
    body: Mapped[str] = mapped_column(Text)  # the raw body, exactly as received
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


class Chargeback(Base):
    """B-17: a dispute seen once per (provider, dispute id); its effects (terminations, events) happen once."""

    __tablename__ = "chargebacks"
    __table_args__ = (UniqueConstraint("provider", "dispute_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    provider: Mapped[str] = mapped_column(Text)
    dispute_id: Mapped[str] = mapped_column(Text)
    provider_payment_id: Mapped[str] = mapped_column(Text)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column()
    client_id: Mapped[uuid.UUID | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class SubscriptionStatus(StrEnum):
    """Billing's view of a service, moved by billing's own decisions (provisioning executes them)."""

    PENDING = "pending"  # ordered, first invoice unpaid
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_status_next_due_on", "status", "next_due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)  # = the service id
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    product_code: Mapped[str] = mapped_column(Text)
    cycle: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(Text)
    payment_method: Mapped[str | None] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(Text)
    next_due_on: Mapped[date] = mapped_column(Date)  # the start of the next unpaid period
    activated_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # B-15: cancelled at the end of the paid period
    renew: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # B-15: false → ends at due
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


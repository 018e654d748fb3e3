import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from affiliate.db import Base

DEFAULT_KIND = "default"  # the rate of every kind staff set none for


class CommissionRate(Base):
    """F-2: a commission percentage staff set for a product kind (C-1), or for every other kind (`default`)."""

    __tablename__ = "commission_rates"

    product_kind: Mapped[str] = mapped_column(Text, primary_key=True)
    percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[uuid.UUID] = mapped_column()


class AuditEntry(Base):
    """Who changed which business setting, when, from what to what."""

    __tablename__ = "audit_log"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    actor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

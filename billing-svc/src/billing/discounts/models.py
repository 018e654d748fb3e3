import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class CouponAudience(StrEnum):
    NEW = "new"  # clients with no service yet
    EXISTING = "existing"  # clients with at least one service
    ANY = "any"


class Coupon(Base):
    """B-12: a code worth a percentage or a fixed amount, for new or existing clients, with expiry and use limit."""

    __tablename__ = "coupons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(Text, unique=True)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    audience: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Retired by an admin: refused at ordering from then on; kept (with its uses) for the invoices that named it.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class PlatformClockOffset(Base):
    """The platform clock's offset from real time in test mode: a single row, so a restart keeps it."""

    __tablename__ = "test_clock"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=1)
    offset_us: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

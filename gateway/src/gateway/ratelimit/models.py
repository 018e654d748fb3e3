from datetime import datetime

from sqlalchemy import DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class RateLimitCounter(Base):
    """Attempts of one key (e.g. `login:<ip>:<email>`) in its current fixed window; one row per key."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    hits: Mapped[int] = mapped_column(Integer)
    # When the window ends: rows past it are stale and pruned.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

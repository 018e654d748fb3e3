import uuid
from datetime import datetime

from sqlalchemy import DateTime, Text, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from support.db import Base


class Appointment(Base):
    """S-7: a remote-support slot. PostgreSQL's exclusion constraint (btree_gist) refuses two booked appointments
    of one desk whose times overlap, whatever the number of concurrent requests or replicas."""

    __tablename__ = "appointments"
    __table_args__ = (
        ExcludeConstraint(("desk", "="), (text("tstzrange(starts_at, ends_at)"), "&&"),
                          name="ex_appointments_no_double_booking", using="gist",
                          where="status = 'booked'"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    desk: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    topic: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(Text)  # booked | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_day_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_hour_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

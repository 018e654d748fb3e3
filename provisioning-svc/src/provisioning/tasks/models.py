import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from provisioning.db import Base


class StaffTask(Base):
    """P-3: work a manual product needs from staff, with its deadline in business days."""

    __tablename__ = "staff_tasks"
    __table_args__ = (Index("ix_staff_tasks_open", "due_on", postgresql_where=text("completed_at IS NULL")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # One task per driver action, however retried; none for work a client asked for directly (P-8 migrations).
    action_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    service_id: Mapped[uuid.UUID] = mapped_column(index=True)
    client_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(Text)  # create | suspend | unsuspend | terminate | change_package | migrate
    title: Mapped[str] = mapped_column(Text)
    product_kind: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(Text)

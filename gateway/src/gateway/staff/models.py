import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class StaffAudit(Base):
    """Issue 14 item 7: every staff action taken at the gateway, who and when (the services keep their own)."""

    __tablename__ = "staff_audit"
    __table_args__ = (Index("ix_staff_audit_client_id_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor_id: Mapped[uuid.UUID]
    actor_email: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    client_id: Mapped[uuid.UUID | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

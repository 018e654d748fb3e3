"""The gateway's audit table (`staff_audit`): the columns every audit table has (`abono.db.AuditColumns`), the
actor's email, and the client an action concerned."""

import uuid

from sqlalchemy import Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import AuditColumns
from gateway.db import Base


class AuditEntry(AuditColumns, Base):
    __tablename__ = "staff_audit"
    __table_args__ = (Index("ix_staff_audit_client_id_at", "client_id", "at"),)

    actor_email: Mapped[str] = mapped_column(Text)
    client_id: Mapped[uuid.UUID | None]

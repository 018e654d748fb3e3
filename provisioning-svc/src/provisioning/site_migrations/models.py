import uuid
from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlalchemy.orm import Mapped, mapped_column

from provisioning.db import Base


class MigrationRequest(Base):
    """P-8: a client's request to move a site from its old server into one of its hosting services. The old server's
    access (host, user, password, notes) is one encrypted token (`SecretBox`); the staff task carries the deadline and
    whether the work is done."""

    __tablename__ = "migration_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    mode: Mapped[str] = mapped_column(Text)  # staff ("we migrate everything") | self ("I migrate it myself")
    access_encrypted: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)  # the staff task of a `staff` request
    progress_note: Mapped[str | None] = mapped_column(Text)  # what staff tell the client along the way
    progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

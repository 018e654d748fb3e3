import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from provisioning.db import Base


class ClientCopy(Base):
    """Provisioning's copy of a client, from the gateway's events: who a transfer (P-6) may name, and whether the
    account is verified. "Verified" means the e-mail is verified for now: identity verification (A-2) does not
    exist yet. Either event may arrive first, so every column but the id may be missing for a while."""

    __tablename__ = "clients"
    __table_args__ = (Index("ix_clients_lower_email", text("lower(email)")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    profile_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the profile event's instant
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None

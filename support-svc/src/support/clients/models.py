"""Support's copy of what it needs about clients: contact data (to recognise an e-mail or a WhatsApp number) and
their services (what a ticket may concern, and which support plan they hold, S-3)."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlalchemy.orm import Mapped, mapped_column

from support.db import Base


class ClientCopy(Base):
    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)  # digits only, as WhatsApp reports a sender
    language: Mapped[str] = mapped_column(Text, default="es")
    profile_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ClientService(Base):
    """One of the client's services as billing and provisioning announced it (the id is billing's subscription)."""

    __tablename__ = "client_services"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    product_code: Mapped[str] = mapped_column(Text)
    product_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)  # pending | active | suspended | terminated
    server: Mapped[str | None] = mapped_column(Text, index=True)  # S-4: where provisioning placed it
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Preference(Base):
    """N-1 / issue #6 item 5: what the client chose. Transactional e-mail has no switch: it always goes."""

    __tablename__ = "preferences"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Overrides the language of the client's profile for messages; None: follow the profile.
    language: Mapped[str | None] = mapped_column(Text)
    whatsapp_opt_out: Mapped[bool] = mapped_column(Boolean, server_default=false())
    marketing_opt_out: Mapped[bool] = mapped_column(Boolean, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from affiliate.db import Base


class Client(Base):
    """What the affiliate service knows of a client, from the gateway's events (never personal data it does not
    need: the e-mail only as a comparison key, the document only as the gateway's keyed fingerprint)."""

    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(Text, index=True)  # F-1: normalised e-mail (rules.email_key)
    currency: Mapped[str] = mapped_column(String(3))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A-2 (ClientVerified): F-3 bank withdrawals need it; the fingerprint spots self-referral (F-1).
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    legal_name: Mapped[str | None] = mapped_column(Text)
    document_fingerprint: Mapped[str | None] = mapped_column(Text, index=True)


class PayerFingerprint(Base):
    """F-1: a payment provider's fingerprint of who paid (a card), per client, where the provider gives one."""

    __tablename__ = "payer_fingerprints"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text, primary_key=True, index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

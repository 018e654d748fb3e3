import uuid
from datetime import datetime

from sqlalchemy import Computed, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base

REFERRAL_CODE_SQL = "upper(substr(replace(id::text, '-', ''), 1, 12))"


def referral_code_of(client_id: uuid.UUID) -> str:
    """The referral code PostgreSQL computes for a client (REFERRAL_CODE_SQL), in Python."""
    return client_id.hex[:12].upper()


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # B-12/F-4 (billing.promos): the client's own referral code, deterministic from the id (its first 12 hex
    # digits, upper case), computed and indexed by PostgreSQL; the code it signed up with (ClientRegistered) and
    # the referrer it names (resolved when known; else at the friend's first payment).
    referral_code: Mapped[str] = mapped_column(Text, Computed(REFERRAL_CODE_SQL, persisted=True), unique=True)
    referred_by_code: Mapped[str | None] = mapped_column(Text)
    referrer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # #15 item 6: whom invoices are made out to, as the gateway's identity verification approved it
    # (ClientInvoicingIdentityChanged); None until then, and the invoice shows the profile's name alone.
    legal_name: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    invoicing_identity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Text
from sqlalchemy.orm import Mapped, mapped_column

from affiliate.db import Base


class AttributionStatus(StrEnum):
    ATTRIBUTED = "attributed"  # earns commissions (F-2)
    HELD = "held"  # suspicious: waits for staff, earns nothing meanwhile (its paid invoices are kept)
    REFUSED = "refused"  # self-referral, or refused by staff: never earns


class Affiliate(Base):
    """F-1: a client that turned its affiliate account on. `code` is its referral code, the same one billing's
    referral free month uses (B-12/F-4: the first 12 hex digits of the client id, upper case)."""

    __tablename__ = "affiliates"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip_hash: Mapped[str | None] = mapped_column(Text)  # keyed hash of the address it activated from


class Visit(Base):
    """F-1: one visit of a referral link. Only what attribution needs: when, whose link, a keyed hash of the
    address (to spot an affiliate clicking its own link), never the address, the user agent or the page."""

    __tablename__ = "visits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    affiliate_id: Mapped[uuid.UUID] = mapped_column(index=True)
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip_hash: Mapped[str | None] = mapped_column(Text)
    own_address: Mapped[bool] = mapped_column(Boolean, default=False)  # from the affiliate's own address


class Attribution(Base):
    """F-1: a sign-up attributed to an affiliate, decided once per referred client (the primary key)."""

    __tablename__ = "attributions"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the referred client
    affiliate_id: Mapped[uuid.UUID] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(Text)  # "link" | "code"
    visit_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(Text, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    signed_up_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column()  # staff who approved or refused a held one

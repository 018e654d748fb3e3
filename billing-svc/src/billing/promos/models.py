import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class ReferralReward(Base):
    """B-12/F-4: the free month a referrer earned for one referred friend who paid; one row per friend, ever."""

    __tablename__ = "referral_rewards"

    referred_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # exactly once per referred friend
    referrer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))  # the friend's first paid invoice
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    basis: Mapped[str] = mapped_column(Text)  # how the amount was found ("monthly price" / "prorated ...")
    earned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TwoForOneOrder(Base):
    """B-12 2x1: an order of a new client naming a partner, one row per product and cycle it ordered."""

    __tablename__ = "two_for_one_orders"

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), primary_key=True)
    cycle: Mapped[str] = mapped_column(Text, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    partner_id: Mapped[uuid.UUID] = mapped_column(index=True)
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TwoForOnePair(Base):
    """B-12 2x1: two new clients who ordered together; exactly once per pair (ids sorted: low < high)."""

    __tablename__ = "two_for_one_pairs"

    client_low: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_high: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    first_invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    free_invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    cycle: Mapped[str] = mapped_column(Text)
    paired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

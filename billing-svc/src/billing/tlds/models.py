import uuid

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class TldPrice(Base):
    """D-1: what registering and transferring a domain cost, per domain product, cycle and currency (minor units).
    Renewing costs the product's `prices` row of the same cycle and currency."""

    __tablename__ = "tld_prices"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    cycle: Mapped[str] = mapped_column(Text, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    register_minor: Mapped[int] = mapped_column(BigInteger)
    transfer_minor: Mapped[int] = mapped_column(BigInteger)

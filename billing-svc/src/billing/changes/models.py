import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class UpgradeStatus(StrEnum):
    REQUESTED = "requested"  # its invoice is unpaid
    APPLIED = "applied"  # its invoice was paid: the subscription is on the new product
    CANCELLED = "cancelled"  # its invoice was cancelled (expired unpaid, or the service was cancelled)


class Upgrade(Base):
    """B-14: a client's upgrade of one service, applied when its invoice is paid."""

    __tablename__ = "upgrades"
    __table_args__ = (Index("ux_upgrades_requested_subscription", "subscription_id", unique=True,
                            postgresql_where=text("status = 'requested'")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subscriptions.id"))
    client_id: Mapped[uuid.UUID]
    from_product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    to_product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    # Deferred: the upgrade row is written before its invoice, whose issue may settle it (and apply the upgrade).
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", deferrable=True, initially="DEFERRED"), index=True)
    status: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from provisioning.db import Base


class ServiceTransfer(Base):
    """P-6: a request to give a service to another client. The owner's request is its confirmation; the recipient's
    acceptance the other one, which completes it. `pending` → `completed` | `cancelled` (by either client) |
    `expired` (a pending request past `expires_at` is expired, even before the row says so)."""

    __tablename__ = "service_transfers"
    # One pending request per service at a time (the service's lock orders requests; this is the backstop).
    __table_args__ = (
        Index("uq_service_transfers_pending", "service_id", unique=True, postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(index=True)
    from_client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # None: offered to an e-mail no client has (issue 11); such an offer reaches nobody and expires.
    to_client_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    from_email: Mapped[str | None] = mapped_column(Text)
    to_email: Mapped[str | None] = mapped_column(Text)
    product_name: Mapped[str] = mapped_column(Text)  # what the recipient is offered (it cannot see the service)
    domain: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # also the owner's confirmation
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the recipient's confirmation
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[uuid.UUID | None]
    event_id: Mapped[uuid.UUID | None]  # the ServiceTransferred published on completion

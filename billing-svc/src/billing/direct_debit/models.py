"""A client's direct-debit mandate at a provider (a Pagos360 adhesión): at most one that is not cancelled."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class MandateState:
    PENDING = "pending"  # sent, waiting for the bank or card issuer to accept it (Pagos360: pending_to_sign)
    ACTIVE = "active"  # signed: renewal invoices are debited
    CANCELLED = "cancelled"  # by the client, or refused by the bank


class DirectDebitMandate(Base):
    __tablename__ = "direct_debit_mandates"
    __table_args__ = (
        UniqueConstraint("provider", "mandate_ref"),
        # One live mandate per client: two concurrent sign-ups cannot both succeed.
        Index(
            "uq_direct_debit_mandates_live_client",
            "client_id",
            unique=True,
            postgresql_where=text("state <> 'cancelled'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)  # "cbu" | "card"
    mandate_ref: Mapped[str | None] = mapped_column(Text)  # the adhesion ("adhesion-45"); None until it answers
    state: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)  # what the client recognises: "CBU ···1234", "VISA ···4242"
    holder_name: Mapped[str] = mapped_column(Text)
    state_detail: Mapped[str] = mapped_column(Text, default="")  # the provider's comment (why it was refused)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""Auto-pay's tables (B-21): methods saved at a provider, the client's auto-pay switch, and each automatic charge
attempt with its idempotency key (stored before the provider is called; one row per invoice and attempt)."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class MethodStatus(StrEnum):
    PENDING = "pending"  # the client is at the provider's page saving it
    ACTIVE = "active"  # saved: may be charged
    REMOVED = "removed"  # removed by the client (and at the provider)
    FAILED = "failed"  # the provider refused the card, or its setup page expired unfinished (never charged)


class SavedPaymentMethod(Base):
    __tablename__ = "saved_payment_methods"
    __table_args__ = (Index("ix_saved_payment_methods_client_id_status", "client_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column()
    provider: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)  # the setup call's key
    customer_ref: Mapped[str | None] = mapped_column(Text)  # the provider's customer (Stripe's cus_...)
    setup_ref: Mapped[str | None] = mapped_column(Text)  # the provider's setup (a setup-mode Checkout Session)
    redirect_url: Mapped[str | None] = mapped_column(Text)
    method_ref: Mapped[str | None] = mapped_column(Text)  # the saved method (Stripe's pm_...)
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AutopaySwitch(Base):
    """A row: the client's renewal invoices are charged to `method_id` (B-21); no row: auto-pay is off."""

    __tablename__ = "autopay_switches"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    method_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("saved_payment_methods.id"), index=True)
    enabled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChargeStatus(StrEnum):
    PENDING = "pending"  # key stored; the provider not answered yet (a retry reuses the key)
    SUCCEEDED = "succeeded"  # paid: the payment was applied
    DECLINED = "declined"  # refused: the next scheduled attempt may try again
    ACTION_REQUIRED = "action_required"  # SCA: automatic charges of this invoice stop; the client is asked
    SKIPPED = "skipped"  # the invoice was settled, or auto-pay stopped, before the provider was asked


class AutopayCharge(Base):
    __tablename__ = "autopay_charges"
    __table_args__ = (
        UniqueConstraint("invoice_id", "attempt"),
        Index("ix_autopay_charges_pending", "scheduled_on", postgresql_where="status = 'pending'"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    method_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("saved_payment_methods.id"))
    attempt: Mapped[int] = mapped_column(Integer)  # 1: the first charge; then the retries (B-21)
    attempts_planned: Mapped[int] = mapped_column(Integer)  # how many the schedule holds: the last one notifies
    scheduled_on: Mapped[date] = mapped_column(Date)
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(Text)
    provider_payment_id: Mapped[str | None] = mapped_column(Text)
    failure_code: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)  # the provider could not be reached (retried, same key)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import trigram_index
from billing.db import Base


class InvoiceStatus(StrEnum):
    """B-9 (plus B-18's `waived`, which counts as settled)."""

    UNPAID = "unpaid"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    WAIVED = "waived"


class InvoiceKind(StrEnum):
    ORDER = "order"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"  # B-14: the prorated difference; unpaid, it only expires (no dunning)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_status_due_on", "status", "due_on"),
        trigram_index("ix_invoices_payment_reference_trgm", "payment_reference"),
        trigram_index("ix_invoices_number_trgm", "number"),
        Index("ix_invoices_total_minor", "total_minor"),
        Index("ix_invoices_issued_at", "issued_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(Text, unique=True)
    payment_reference: Mapped[str] = mapped_column(Text, unique=True)  # B-19
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)  # lines before discounts
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    credit_applied_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # B-10
    total_minor: Mapped[int] = mapped_column(BigInteger)  # what remains to pay after credit
    payment_method: Mapped[str | None] = mapped_column(Text)  # the method the discount assumed
    note: Mapped[str] = mapped_column(Text, default="")
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_method: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # No foreign keys on the lines and the claims below (migration 0022, #20 item 4): their writers write them with
    # (or under the lock of) their invoice and subscription, and invoices, subscriptions and products are never
    # deleted (a trigger refuses it); tests/test_renewal_row_references.py holds both.
    invoice_id: Mapped[uuid.UUID] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)  # "service" | "restoration_fee"
    description: Mapped[str] = mapped_column(Text)
    service_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    product_id: Mapped[uuid.UUID | None] = mapped_column()
    cycle: Mapped[str | None] = mapped_column(Text)
    period_start_on: Mapped[date | None] = mapped_column(Date)
    period_end_on: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # Discounts and coupons the engine withheld, each with its rule and reason (B-13; #12 item 10)
    withheld: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))


class BillingPeriod(Base):
    """B-2: one invoice per subscription and period, whatever the number of scheduler runs or replicas."""

    __tablename__ = "billing_periods"

    subscription_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # no foreign key: see InvoiceLine
    period_start_on: Mapped[date] = mapped_column(Date, primary_key=True)
    # No index: the one reader by invoice (`release_periods`, a cancellation) finds the claims through the invoice's
    # lines and this primary key (migration 0023, #20 item 4: one index entry fewer per renewed service).
    invoice_id: Mapped[uuid.UUID] = mapped_column()


class DunningStep(Base):
    """B-3..B-6: each reminder and decision for an invoice, recorded once (its event is emitted once)."""

    __tablename__ = "dunning_steps"

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    step: Mapped[str] = mapped_column(Text, primary_key=True)
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

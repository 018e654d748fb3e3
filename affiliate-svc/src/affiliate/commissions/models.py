import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from affiliate.db import Base


class Bucket(StrEnum):
    PENDING = "pending"  # earned, within the holding period
    AVAILABLE = "available"  # matured: may be withdrawn (F-3)


class EntryType(StrEnum):
    COMMISSION = "commission"  # + pending: a referred client paid an invoice
    MATURATION = "maturation"  # - pending / + available, a pair: the holding period ended
    REVERSAL = "reversal"  # - where the commission sits: refund, chargeback, self-referral found later
    WITHDRAWAL = "withdrawal"  # - available: a withdrawal request (F-3)
    WITHDRAWAL_RETURNED = "withdrawal_returned"  # + available: staff rejected a bank withdrawal


class LedgerEntry(Base):
    """F-2: one movement of an affiliate's money. Append-only: rows are never updated or deleted; balances are
    sums per (affiliate, currency, bucket). `key` makes every posting idempotent (one commission per invoice, one
    maturation per commission, one reversal per refund or dispute, one entry per withdrawal)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_affiliate_currency_bucket", "affiliate_id", "currency", "bucket"),
        Index("ix_ledger_entries_due", "matures_at", postgresql_where=text("entry_type = 'commission'")),
        CheckConstraint("bucket IN ('pending', 'available')", name="bucket"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    affiliate_id: Mapped[uuid.UUID] = mapped_column()
    entry_type: Mapped[str] = mapped_column(Text)
    bucket: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # signed
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    referred_client_id: Mapped[uuid.UUID | None] = mapped_column()
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    commission_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # the commission a later entry concerns
    withdrawal_id: Mapped[uuid.UUID | None] = mapped_column()
    matures_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # commissions only
    note: Mapped[str] = mapped_column(Text, default="")


class PaidInvoice(Base):
    """A referred client's paid invoice, as `InvoicePaid` described it: the base of its commission, kept also
    while the attribution is held (staff approval then posts what it earned)."""

    __tablename__ = "paid_invoices"

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    number: Mapped[str] = mapped_column(Text)
    total_minor: Mapped[int] = mapped_column(BigInteger)  # before credit
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)  # [{product_kind, amount_minor}]


class InvoiceReversal(Base):
    """A refund or chargeback of an invoice, as received (`key`: "refund:<invoice>" or
    "chargeback:<provider>:<dispute>"). Kept whatever the order of arrival, so a commission posted after it
    (events cross) is reversed too. `amount_minor` None: the whole commission (a chargeback)."""

    __tablename__ = "invoice_reversals"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(index=True)
    client_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(Text)  # "refund" | "chargeback"
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

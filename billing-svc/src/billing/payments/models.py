"""Payments' tables: money received (B-19), payment attempts at providers
(idempotency key stored before the call), transfers reported by clients (B-19), refunds sent back through a provider
(B-15), provider notifications stored raw once, and chargebacks (B-17)."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import trigram_index
from billing.db import Base


class Payment(Base):
    """Money received for an invoice; `payment_key` (provider + its id) makes applying it idempotent (B-19)."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_received_at", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    payment_key: Mapped[str] = mapped_column(Text, unique=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    credited_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # part that became credit balance
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AttemptStatus(StrEnum):
    STARTED = "started"  # key stored, provider not (yet) answered: a retry reuses the key
    OPEN = "open"  # the client has a payment page; reconciliation asks about it
    PAID = "paid"  # a payment of it was applied
    FAILED = "failed"  # the provider refused to create it
    CLOSED = "closed"  # the invoice was settled or cancelled otherwise: no longer asked about


class PaymentAttempt(Base):
    __tablename__ = "payment_attempts"
    __table_args__ = (Index("ix_payment_attempts_status_checked_at", "status", "checked_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(Text)  # Checkout Session id / preference id
    redirect_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last reconciliation question
    # A request withdrawn at the provider because the invoice was settled otherwise (a direct debit not collected).
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PaymentBatch(Base):
    """Several invoices of one client paid in one provider checkout, credit first: the credit was applied to them
    when the batch was made, the provider charges the rest (`amount_minor`). To the provider the batch stands for an
    invoice: its id and its `reference` travel where an invoice's id and payment reference would (B-19)."""

    __tablename__ = "payment_batches"
    __table_args__ = (Index("ix_payment_batches_status_checked_at", "status", "checked_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)  # the invoices' totals before the credit applied
    credit_minor: Mapped[int] = mapped_column(BigInteger)  # credit applied first
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # what the provider charges: total - credit
    reference: Mapped[str] = mapped_column(Text, unique=True)
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(Text)  # AttemptStatus: started, open, paid, failed, closed
    provider_ref: Mapped[str | None] = mapped_column(Text)
    redirect_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last reconciliation question


class PaymentBatchInvoice(Base):
    """One invoice of a batch: the credit applied to it first and its share of the provider's charge."""

    __tablename__ = "payment_batch_invoices"

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_batches.id"), primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    credit_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # its share of the charge; 0 when credit paid it


class TransferReport(Base):
    """B-19: "I paid" by transfer; waits for staff's confirm-transfer (which applies it once per reference)."""

    __tablename__ = "transfer_reports"
    __table_args__ = (
        UniqueConstraint("invoice_id", "reference"),
        trigram_index("ix_transfer_reports_reference_trgm", "upper(reference)"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(Text)  # "bank", "prex", "zelle", ... (the B-12 method discount key)
    reference: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    proof: Mapped[str] = mapped_column(Text)  # text or URL of the receipt
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProviderRefund(Base):
    """B-15: money sent back through the provider that paid; the key is stored before the call."""

    __tablename__ = "provider_refunds"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), unique=True)
    provider: Mapped[str] = mapped_column(Text)
    provider_payment_id: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(Text)  # "requested" | "done" | "failed"
    provider_refund_id: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProviderEvent(Base):
    __tablename__ = "provider_events"
    __table_args__ = (UniqueConstraint("provider", "external_id"),
                      Index("ix_provider_events_unprocessed", "next_attempt_at",
                            postgresql_where="processed_at IS NULL"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)  # Stripe's event id; MercadoPago's x-request-id
    event_type: Mapped[str] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(Text)  # MercadoPago's signed data.id
    body: Mapped[str] = mapped_column(Text)  # the raw body, exactly as received
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


class Chargeback(Base):
    """B-17: a dispute seen once per (provider, dispute id); its effects (terminations, events) happen once."""

    __tablename__ = "chargebacks"
    __table_args__ = (UniqueConstraint("provider", "dispute_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    provider: Mapped[str] = mapped_column(Text)
    dispute_id: Mapped[str] = mapped_column(Text)
    provider_payment_id: Mapped[str] = mapped_column(Text)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column()
    client_id: Mapped[uuid.UUID | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AutomaticChargeFailure(Base):
    """B-21: an automatic charge (saved method, direct debit) that failed, once per provider payment: the client is
    told once, however many times the provider reports it."""

    __tablename__ = "automatic_charge_failures"

    payment_key: Mapped[str] = mapped_column(Text, primary_key=True)  # "<provider>:<its payment id>"
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Text
from sqlalchemy.orm import Mapped, mapped_column

from provisioning.db import Base


class IssuedInvoice(Base):
    """An invoice billing issued (billing.invoice.issued). It is unpaid while neither paid (`settled_invoices`) nor
    cancelled (`cancelled_invoices`): computed, never updated, so the events may arrive in any order."""

    __tablename__ = "issued_invoices"

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    number: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    # A line naming no single service (a bundle line, a fee): it may be for any of the client's services.
    has_unattributed_lines: Mapped[bool]
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID]


class InvoiceService(Base):
    """A service an issued invoice has a line for (InvoiceLineInfo.service_id)."""

    __tablename__ = "invoice_services"

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)


class CancelledInvoice(Base):
    """Invoices billing cancelled (B-9: annulled on request, re-issued (B-11), or after B-6)."""

    __tablename__ = "cancelled_invoices"

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(Text)
    cancelled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID]

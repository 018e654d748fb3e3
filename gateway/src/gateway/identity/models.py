import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, Text
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import trigram_index
from gateway.db import Base


class IdentityStatus(StrEnum):
    DRAFT = "draft"  # files being uploaded
    PENDING = "pending"  # submitted: waits for staff
    VERIFIED = "verified"
    REJECTED = "rejected"  # with a reason; the client may upload again and resubmit


class DocumentSide(StrEnum):
    FRONT = "front"
    BACK = "back"
    SELFIE = "selfie"


class IdentityVerification(Base):
    """A-2: a client's identity verification, one per client (a rejected one is resubmitted in place)."""

    __tablename__ = "identity_verifications"
    __table_args__ = (
        trigram_index("ix_identity_legal_name_trgm", "lower(legal_name)"),
        Index("ix_identity_tax_id_last4", "tax_id_last4"),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(Text)
    document_type: Mapped[str | None] = mapped_column(Text)
    legal_name: Mapped[str | None] = mapped_column(Text)
    tax_id_encrypted: Mapped[str | None] = mapped_column(Text)
    tax_id_last4: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)  # where invoices are made out to (#15 item 6); optional
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdentityDocument(Base):
    """One uploaded file (front, back, selfie), encrypted at rest; its type was recognised by its content."""

    __tablename__ = "identity_documents"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    side: Mapped[str] = mapped_column(Text, primary_key=True)
    content_type: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    data_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

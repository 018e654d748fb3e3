import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from affiliate.db import Base


class WithdrawalMethod(StrEnum):
    BANK = "bank"
    CREDIT = "credit"


class WithdrawalStatus(StrEnum):
    REQUESTED = "requested"  # bank: waits for staff to check it (account in the affiliate's name...)
    APPROVED = "approved"  # bank: staff checked it; the transfer is due within 7-10 days of the request
    PAID = "paid"  # bank: staff marked it paid with the transfer reference
    REJECTED = "rejected"  # bank: staff refused it; the amount went back to the balance
    CREDITED = "credited"  # credit: billing was told at once (AffiliateCreditWithdrawn)


class Withdrawal(Base):
    """F-3: one withdrawal request; its amount left the available balance when it was made (a ledger entry)."""

    __tablename__ = "withdrawals"
    __table_args__ = (
        # F-3: one bank request per affiliate and calendar month (a rejected one does not count).
        Index("uq_withdrawals_bank_month", "affiliate_id", "month", unique=True,
              postgresql_where=text("method = 'bank' AND status <> 'rejected'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    affiliate_id: Mapped[uuid.UUID] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    month: Mapped[str] = mapped_column(Text)  # YYYY-MM in the provider's calendar
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    holder_name: Mapped[str | None] = mapped_column(Text)
    bank_details_encrypted: Mapped[str | None] = mapped_column(Text)  # Fernet: bank, account number
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column()
    transfer_reference: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)

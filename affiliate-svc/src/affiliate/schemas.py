"""What affiliate's API answers and accepts."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from abono.bounds import PositiveMoneyMinor
from abono.money import CurrencyCode, MoneyModel

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AffiliatePublic(BaseModel):
    client_id: uuid.UUID
    code: str
    link: str  # the referral link to share: visits set the cookie and lead to the sign-up (F-1)
    activated_at: datetime


class Balance(BaseModel):
    currency: str
    pending: MoneyModel  # earned, within the holding period (F-2)
    available: MoneyModel  # may be withdrawn (F-3); negative after a reversal of withdrawn money


class AffiliateSummary(AffiliatePublic):
    visits: int
    signups: int  # attributed sign-ups
    held: int  # sign-ups waiting for staff
    conversions: int  # attributed clients who paid at least one invoice
    balances: list[Balance]


class AttributionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    client_id: uuid.UUID
    affiliate_id: uuid.UUID
    source: str
    status: str
    reason: str
    signed_up_at: datetime
    decided_at: datetime | None
    decided_by: uuid.UUID | None


class MyReferral(BaseModel):
    """A sign-up of the affiliate's, without the referred client's personal data."""

    signed_up_at: datetime
    source: str
    status: str
    converted: bool


class LedgerEntryPublic(BaseModel):
    id: uuid.UUID
    entry_type: str
    bucket: str
    amount: MoneyModel
    created_at: datetime
    invoice_id: uuid.UUID | None
    commission_id: uuid.UUID | None
    withdrawal_id: uuid.UUID | None
    matures_at: datetime | None  # commissions: when it becomes available
    status: str | None  # commissions: pending | available | reversed | partly reversed
    note: str


class MonthlyEarning(BaseModel):
    month: str  # YYYY-MM
    earned: MoneyModel  # commissions less their reversals, by the month they were earned


class StatementLine(BaseModel):
    currency: str
    opening: MoneyModel  # pending + available at the start of the month
    commissions: MoneyModel
    reversals: MoneyModel
    withdrawals: MoneyModel  # withdrawals less the rejected ones returned
    closing: MoneyModel
    available_at_close: MoneyModel


class Statement(BaseModel):
    month: str
    affiliate_id: uuid.UUID
    currencies: list[StatementLine]
    entries: list[LedgerEntryPublic]


class BankAccountIn(BaseModel):
    holder_name: Text
    bank: Text
    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=64,
                                              pattern=r"^[A-Za-z0-9 .\-]+$")]


class WithdrawalCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "method": "bank",
            "amount_minor": 5000,
            "currency": "USD",
            "bank_account": {
                                "holder_name": "Ana María López",
                                "bank": "Banco Nación",
                                "account": "0110012345678901234567",
                            },
        }
    ]})

    method: Literal["bank", "credit"]
    amount_minor: PositiveMoneyMinor
    currency: CurrencyCode
    bank_account: BankAccountIn | None = None


class WithdrawalPublic(BaseModel):
    id: uuid.UUID
    affiliate_id: uuid.UUID
    method: str
    status: str
    amount: MoneyModel
    month: str
    requested_at: datetime
    holder_name: str | None
    decided_at: datetime | None
    transfer_reference: str | None
    reject_reason: str | None


class WithdrawalStaff(WithdrawalPublic):
    bank: str | None = None
    account: str | None = None


class MarkPaid(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"transfer_reference": "TRX-2026-12-0042"}]})

    transfer_reference: Text


class Decision(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "El cliente referido es la misma persona que el afiliado."}
    ]})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class AuditEntryPublic(BaseModel):
    """A staff decision or setting change (who, what, when, the details)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    actor_id: uuid.UUID
    action: str
    details: dict[str, str | None]
    at: datetime


class AffiliateDetail(BaseModel):
    """Staff's page of one affiliate: its figures, sign-ups, ledger, withdrawals and what staff decided."""

    affiliate: AffiliateSummary
    attributions: list[AttributionPublic]
    ledger: list[LedgerEntryPublic]
    withdrawals: list[WithdrawalStaff]
    audit: list[AuditEntryPublic]

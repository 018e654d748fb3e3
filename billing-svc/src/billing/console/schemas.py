import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from abono.bounds import MAX_MONEY_MINOR
from abono.money import MoneyModel
from billing.invoices.schemas import InvoicePublic
from billing.payments.schemas import TransferReportPublic
from billing.subscriptions.schemas import ServicePublic


class WaitingTransfer(BaseModel):
    """B-19: a reported transfer whose invoice is still unpaid, with what staff check against the bank."""

    report: TransferReportPublic
    invoice: InvoicePublic


class PaymentPublic(BaseModel):
    id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    amount: MoneyModel
    method: str
    received_at: datetime
    credited: MoneyModel
    refunded_at: datetime | None


class CreditMovement(BaseModel):
    id: int
    amount: MoneyModel
    reason: str
    invoice_id: uuid.UUID | None
    created_at: datetime


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_id: uuid.UUID
    action: str
    target_type: str
    target_id: uuid.UUID
    details: dict[str, Any]
    at: datetime


class ClientBilling(BaseModel):
    """The client 360's billing side (issue 14 item 2)."""

    client_id: uuid.UUID
    currency: str | None = Field(description="Null when billing has not heard of the client yet")
    services: list[ServicePublic]
    invoices: list[InvoicePublic]
    payments: list[PaymentPublic]
    credit_balances: list[MoneyModel]
    credit_movements: list[CreditMovement]
    transfer_reports: list[WaitingTransfer]
    audit: list[AuditEntryPublic]


SignedMoneyMinor = Annotated[StrictInt, Field(ge=-MAX_MONEY_MINOR, le=MAX_MONEY_MINOR)]


class CreditAdjustment(BaseModel):
    """A manual credit (positive) or debit (negative) of the client's balance, with the reason (audited)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_minor": 1500, "currency": "USD", "reason": "Compensación por la caída del 3 de marzo"}
    ]})

    amount_minor: SignedMoneyMinor
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", max_length=3)]
    reason: Annotated[str, Field(min_length=3, max_length=500)]


class BillingWork(BaseModel):
    """What waits for a person today, from billing's side (the console's home)."""

    transfers_to_confirm: int
    invoices_due_this_week: int
    overdue_invoices: int


class MonthlyFigure(BaseModel):
    month: Annotated[str, Field(description="YYYY-MM in the provider's time zone")]
    currency: str
    invoiced: MoneyModel
    collected: MoneyModel

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from abono.bounds import PositiveMoneyMinor
from abono.money import Money, MoneyModel
from billing.config import TransferInstruction
from billing.payments.models import TransferReport

MethodName = Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9_]{2,40}$")]


class PayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"method": "mercadopago"}]})

    method: MethodName  # "stripe" | "mercadopago" | "transfer" (B-20: what the client's country and currency allow)


class PayInstructions(BaseModel):
    """Where to pay: a provider's page (`redirect_url`), or, for a transfer, the reference to quote and report."""

    invoice_id: uuid.UUID
    method: str
    amount: MoneyModel
    payment_reference: str  # B-19: quote it in a transfer or cash coupon
    redirect_url: str | None = None
    provider_ref: str | None = None
    instructions: str
    bank: TransferInstruction | None = None  # transfer: the account for the invoice's currency and client's country


class CaptureRequest(BaseModel):
    """The client is back from the provider's page: which checkout it approved (PayPal's `token`, the order id)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"method": "paypal", "provider_ref": "5O190127TN364715T"}
    ]})

    method: MethodName
    provider_ref: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]


class CaptureResult(BaseModel):
    invoice_id: uuid.UUID
    invoice_status: str
    outcome: str  # "applied", "duplicate" (applied before), "not approved yet", "pending", "failed" ...


class MethodRefused(BaseModel):
    """B-20: a method the client's country offers but that refuses the account's currency, and the manual's advice:
    switch the account to `switch_to` (PayPal refuses UYU, PYG and VES)."""

    method: str
    currency: str
    switch_to: str


class PaymentMethods(BaseModel):
    invoice_id: uuid.UUID
    methods: list[str]
    refused: list[MethodRefused] = []
    # B-22: what paying by each method costs (its payment-method discount re-priced), shown before paying.
    totals: dict[str, MoneyModel] = {}


class TransferReportCreate(BaseModel):
    """B-19: the client says "I paid" by transfer; staff confirm it (confirm-transfer) once the money is seen."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "reference": "PREX-8842193",
            "amount_minor": 6000,
            "paid_on": "2026-12-01",
            "proof": "Transferencia desde Banco Nación, cuenta terminada en 4821.",
            "channel": "bank",
        }
    ]})

    reference: Annotated[str, Field(min_length=3, max_length=100)]  # the bank's / wallet's operation number
    amount_minor: PositiveMoneyMinor
    paid_on: date
    proof: Annotated[str, Field(min_length=1, max_length=2000)]  # text or URL of the receipt
    channel: MethodName = "bank"  # "bank", "prex", "zelle", ... (B-12: the method discount key)


class TransferReportPublic(BaseModel):
    id: uuid.UUID
    invoice_id: uuid.UUID
    client_id: uuid.UUID
    channel: str
    reference: str
    amount: MoneyModel
    paid_on: date
    proof: str
    reported_at: datetime

    @classmethod
    def of(cls, report: TransferReport) -> "TransferReportPublic":
        return cls(id=report.id, invoice_id=report.invoice_id, client_id=report.client_id, channel=report.channel,
                   reference=report.reference, amount=MoneyModel.of(Money(report.amount_minor, report.currency)),
                   paid_on=report.paid_on, proof=report.proof, reported_at=report.reported_at)


class PayManyRequest(BaseModel):
    """Several of my unpaid invoices of one currency, paid together through one provider checkout (credit first)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "invoice_ids": ["3f2b8f0e-6a4e-4d0c-9a52-0f1d2c3b4a59", "8d7c6b5a-4f3e-4d2c-8b1a-9f8e7d6c5b4a"],
        "method": "stripe",
    }]})

    invoice_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]
    method: MethodName


class BatchInvoicePublic(BaseModel):
    invoice_id: uuid.UUID
    number: str
    status: str  # the invoice's status now
    credit_applied: MoneyModel  # the credit that paid part of it first
    amount: MoneyModel  # its share of the provider's charge (0 when credit paid it)


class PaymentBatchPublic(BaseModel):
    """Several invoices paid in one checkout: the invoices' total, the credit applied first, and the rest charged
    at the provider (`redirect_url`: its page, while waiting)."""

    id: uuid.UUID
    method: str
    status: str  # "started", "open" (waiting at the provider), "paid", "failed"
    total: MoneyModel
    credit_applied: MoneyModel
    amount: MoneyModel
    redirect_url: str | None = None
    provider_ref: str | None = None
    invoices: list[BatchInvoicePublic]
    paid: bool  # every invoice of it is paid

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from abono.bounds import Code
from abono.money import MoneyModel
from billing.changes.cancellation import CancelWhen
from billing.cycles import Cycle
from billing.invoices.schemas import InvoiceDetail, PreviewLine
from billing.subscriptions.schemas import ServicePublic


class CycleChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"cycle": "annual"}]})

    cycle: Cycle


class CycleChanged(BaseModel):
    service: ServicePublic
    cancelled_invoice_id: uuid.UUID | None  # the unpaid renewal invoice it cancelled (B-9) ...
    invoice: InvoiceDetail | None  # ... and the one issued in its place, at the new cycle's price


class UpgradeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"product_code": "hosting-pro"}]})

    product_code: Code


class ProrationPublic(BaseModel):
    """B-14: `(new_price - old_price) * remaining_days / period_days` for one paid period."""

    period_start_on: date
    period_end_on: date
    old_price: MoneyModel
    new_price: MoneyModel
    remaining_days: int
    period_days: int
    difference: MoneyModel  # negative: becomes credit balance
    computation: str


class UpgradePreview(BaseModel):
    service_id: uuid.UUID
    from_product: str
    to_product: str
    prorations: list[ProrationPublic]
    lines: list[PreviewLine]  # the invoice's lines, each discount shown
    total: MoneyModel  # to pay (before any credit balance)
    credit: MoneyModel  # added to the credit balance


class UpgradePlaced(BaseModel):
    upgrade_id: uuid.UUID
    status: str  # "requested" until its invoice is paid, then "applied"
    preview: UpgradePreview
    invoice: InvoiceDetail


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"when": "end_of_period"}]})

    when: CancelWhen = CancelWhen.END_OF_PERIOD


class ServiceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"renew": False}]})

    renew: bool  # B-15: false → the service (a domain) is not renewed and ends on its due date

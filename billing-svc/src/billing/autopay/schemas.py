import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from abono.money import Money, MoneyModel
from billing.autopay.models import AutopayCharge, SavedPaymentMethod


class SaveMethodRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"provider": "stripe"}]})

    # "stripe": a provider that saves methods
    provider: Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[a-z0-9_]{2,40}$")]


class SavedMethodPublic(BaseModel):
    """A payment method the client saved (B-21); `redirect_url` while it waits at the provider's page."""

    id: uuid.UUID
    provider: str
    status: str  # "pending" | "active" | "removed" | "failed"
    label: str
    created_at: datetime
    saved_at: datetime | None
    redirect_url: str | None = None

    @classmethod
    def of(cls, row: SavedPaymentMethod) -> "SavedMethodPublic":
        return cls(
            id=row.id,
            provider=row.provider,
            status=row.status,
            label=row.label,
            created_at=row.created_at,
            saved_at=row.saved_at,
            redirect_url=row.redirect_url if row.status == "pending" else None,
        )


class AutopayChargePublic(BaseModel):
    invoice_id: uuid.UUID
    attempt: int
    attempts_planned: int
    scheduled_on: date
    amount: MoneyModel
    status: str  # "pending" | "succeeded" | "declined" | "action_required" | "skipped"
    failure_code: str | None

    @classmethod
    def of(cls, row: AutopayCharge) -> "AutopayChargePublic":
        return cls(
            invoice_id=row.invoice_id,
            attempt=row.attempt,
            attempts_planned=row.attempts_planned,
            scheduled_on=row.scheduled_on,
            amount=MoneyModel.of(Money(row.amount_minor, row.currency)),
            status=row.status,
            failure_code=row.failure_code,
        )


class AutopayPublic(BaseModel):
    """Auto-pay (B-21): whether it is on, the method it charges, when it charges, the latest attempts."""

    enabled: bool
    method: SavedMethodPublic | None
    days_before: int  # the first charge, this many days before the due date
    retry_days: list[int]  # retries, days after the first charge (before B-4 suspends)
    providers: list[str]  # where a method can be saved here
    charges: list[AutopayChargePublic]


class AutopayEnable(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"method_id": "3f2b8c1e-5d4a-4b7e-9c61-2a8e0f4d7b93"}
    ]})

    method_id: uuid.UUID

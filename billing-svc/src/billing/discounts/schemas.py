import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from abono.bounds import Count, PositiveMoneyMinor
from abono.money import CurrencyCode, exponent
from billing.discounts.models import CouponAudience

Percent = Annotated[
    Decimal,
    Field(gt=0, le=100, max_digits=5, decimal_places=2),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 100, "multipleOf": 0.01}),
]
CouponCode = Annotated[str, Field(max_length=40, pattern=r"^[A-Z0-9][A-Z0-9_-]{2,39}$")]


def check_terms(percent: Decimal | None, amount_minor: int | None, currency: str | None) -> None:
    """A coupon is worth a percentage or a fixed amount in one known currency, never both (ValueError otherwise)."""
    if (percent is None) == (amount_minor is None):
        raise ValueError("give either a percentage or a fixed amount")
    if (amount_minor is None) != (currency is None):
        raise ValueError("a fixed amount needs its currency, and a currency only goes with a fixed amount")
    if currency is not None:
        exponent(currency)


class CouponCreate(BaseModel):
    """A percentage coupon (`percent`) or a fixed one (`amount_minor` + `currency`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "code": "BIENVENIDA10",
            "percent": 10,
            "audience": "new",
            "expires_at": "2027-03-31T23:59:59Z",
            "max_uses": 100,
        }
    ]})

    code: CouponCode
    percent: Percent | None = None
    amount_minor: PositiveMoneyMinor | None = None
    currency: CurrencyCode | None = None
    audience: CouponAudience = CouponAudience.ANY
    expires_at: AwareDatetime | None = None
    max_uses: Count | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "CouponCreate":
        check_terms(self.percent, self.amount_minor, self.currency)
        return self


class CouponUpdate(BaseModel):
    """The fields to change (only those sent; `null` clears `expires_at` or `max_uses`). To switch between a
    percentage and a fixed amount, send the new one and `null` for the other."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"percent": 15, "expires_at": "2027-06-30T23:59:59Z", "max_uses": 200},
        {"percent": None, "amount_minor": 50000, "currency": "ARS", "audience": "existing"},
    ]})

    percent: Percent | None = None
    amount_minor: PositiveMoneyMinor | None = None
    currency: CurrencyCode | None = None
    audience: CouponAudience | None = None
    expires_at: AwareDatetime | None = None
    max_uses: Count | None = None


class CouponPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    percent: Decimal | None
    amount_minor: int | None
    currency: str | None
    audience: CouponAudience
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    created_at: datetime
    retired_at: datetime | None = None

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from abono.bounds import Count, PositiveMoneyMinor
from abono.money import CurrencyCode, exponent
from billing.discounts.models import CouponAudience


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

    code: Annotated[str, Field(max_length=40, pattern=r"^[A-Z0-9][A-Z0-9_-]{2,39}$")]
    percent: Annotated[
        Decimal,
        Field(gt=0, le=100, max_digits=5, decimal_places=2),
        WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 100, "multipleOf": 0.01}),
    ] | None = None
    amount_minor: PositiveMoneyMinor | None = None
    currency: CurrencyCode | None = None
    audience: CouponAudience = CouponAudience.ANY
    expires_at: AwareDatetime | None = None
    max_uses: Count | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "CouponCreate":
        if (self.percent is None) == (self.amount_minor is None):
            raise ValueError("give either percent or amount_minor")
        if (self.amount_minor is None) != (self.currency is None):
            raise ValueError("a fixed coupon needs amount_minor and currency together")
        if self.currency is not None:
            exponent(self.currency)
        return self


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

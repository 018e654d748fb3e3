import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from abono.bounds import Code, Count, LongText, MoneyMinor, ShortText
from abono.money import CurrencyCode, MoneyModel


class QuoteLineIn(BaseModel):
    """A catalog line (`product_code` and `cycle`, ordered as a service) or a free line (neither)."""

    model_config = ConfigDict(extra="forbid")

    description: ShortText = Field(min_length=1)
    quantity: Count = 1
    unit_price_minor: MoneyMinor
    product_code: Code | None = None
    cycle: str | None = Field(default=None, pattern="^(monthly|quarterly|semiannual|annual|biennial)$",
                              max_length=20)

    @model_validator(mode="after")
    def _catalog_line_whole(self) -> "QuoteLineIn":
        if (self.product_code is None) != (self.cycle is None):
            raise ValueError("a catalog line names both product_code and cycle; a free line neither")
        return self


class QuoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "title": "Sitio institucional",
            "currency": "USD",
            "valid_until": "2026-12-31",
            "lines": [
                         {"description": "Diseño y desarrollo del sitio", "quantity": 1, "unit_price_minor": 45000},
                         {
                             "description": "Hosting Plus, un año",
                             "quantity": 1,
                             "unit_price_minor": 9600,
                             "product_code": "hosting-plus",
                             "cycle": "annual",
                         },
                     ],
            "message": "Le enviamos el presupuesto conversado.",
        }
    ]})

    title: ShortText = Field(min_length=1)
    currency: CurrencyCode
    valid_until: date | None = None  # default: SUPPORT_QUOTE_DEFAULT_VALIDITY_DAYS from today
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=50)
    message: LongText | None = None  # written on the ticket with the quote (optional)


class QuoteLinePublic(BaseModel):
    description: str
    quantity: int
    unit_price: MoneyModel
    amount: MoneyModel
    product_code: str | None
    cycle: str | None


class QuotePublic(BaseModel):
    id: uuid.UUID
    number: str
    ticket_id: uuid.UUID
    client_id: uuid.UUID
    title: str
    total: MoneyModel
    valid_until: date
    status: str  # sent | accepted | expired
    created_at: datetime
    accepted_at: datetime | None
    lines: list[QuoteLinePublic]

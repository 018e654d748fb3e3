"""The groups of business settings, bounded (422 as problem+json otherwise). Field names are `BillingSettings`'
own, so each field documents the environment variable it replaces (`BILLING_` + its name in upper case)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictInt, WithJsonSchema, model_validator

from abono.bounds import MAX_MONEY_MINOR
from billing.config import CountryOrAny, CurrencyCode, TransferInstruction

Days = Annotated[StrictInt, Field(ge=0, le=365)]
# A JSON number both ways, as the schema says (pydantic wrote a Decimal as a string: found by make fuzz, issue 11).
Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=6, decimal_places=3),
    PlainSerializer(float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.001}),
]
Method = Annotated[str, Field(pattern=r"^[a-z0-9_]{2,40}$")]
CycleName = Annotated[str, Field(pattern=r"^(monthly|quarterly|semiannual|annual|biennial)$")]  # C-2
Minor = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY_MINOR)]


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DunningSettings(_Group):
    """B-3..B-6: reminder days before the due date, and the suspension and termination days after it."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "reminder_days_before": [10, 5, 1],
            "suspend_after_days": 2,
            "suspend_all_after_business_days": 5,
            "terminate_after_days": 25,
        }
    ]})

    reminder_days_before: list[Annotated[StrictInt, Field(ge=1, le=90)]] = Field(max_length=10)
    suspend_after_days: Days  # B-4
    suspend_all_after_business_days: Days  # B-5 (business days)
    terminate_after_days: Annotated[StrictInt, Field(ge=1, le=365)]  # B-6
    # B-21: the automatic charge of an auto-pay client's renewal invoice, days before the due date, and its retries
    # (days after that first charge); none is made after the B-4 day.
    autopay_days_before: Annotated[StrictInt, Field(ge=0, le=14)] = 0
    autopay_retry_days: list[Annotated[StrictInt, Field(ge=1, le=30)]] = Field(default=[1, 2], max_length=5)

    @model_validator(mode="after")
    def _ordered(self) -> DunningSettings:
        if len(set(self.reminder_days_before)) != len(self.reminder_days_before):
            raise ValueError("each reminder day once")
        self.reminder_days_before = sorted(self.reminder_days_before, reverse=True)
        # B-6 after B-4.
        if self.terminate_after_days <= self.suspend_after_days:
            raise ValueError("the termination must come after the suspension")
        if len(set(self.autopay_retry_days)) != len(self.autopay_retry_days):
            raise ValueError("each auto-pay retry day once")
        # A retry falling after the B-4 day is not planned (`billing.autopay.charging.schedule`).
        self.autopay_retry_days = sorted(self.autopay_retry_days)
        return self


class DiscountSettings(_Group):
    """B-12: percentages by cycle, by number of active services, by payment method; the bundle; a cap."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "discount_cycle_percent": {"semiannual": 6, "annual": 20, "biennial": 33},
            "discount_active_service_tiers": [[3, 10], [5, 25], [10, 40], [30, 50]],
            "discount_payment_method_percent": {"zelle": 10},
            "discount_bundle_size": 5,
            "discount_bundle_free": 1,
            "discount_max_total_percent": None,
        }
    ]})

    discount_cycle_percent: dict[CycleName, Percent] = Field(max_length=5)
    discount_active_service_tiers: list[tuple[Annotated[StrictInt, Field(ge=1, le=100_000)], Percent]] = Field(
        max_length=20
    )
    discount_payment_method_percent: dict[Method, Percent] = Field(max_length=20)
    discount_bundle_size: Annotated[StrictInt, Field(ge=0, le=1000)]  # 0: no bundle discount
    discount_bundle_free: Annotated[StrictInt, Field(ge=0, le=1000)]
    discount_max_total_percent: Percent | None = None  # None: no cap

    @model_validator(mode="after")
    def _bundle(self) -> DiscountSettings:
        if self.discount_bundle_size and self.discount_bundle_free >= self.discount_bundle_size:
            raise ValueError("a bundle frees fewer services than it holds")
        if len({minimum for minimum, _ in self.discount_active_service_tiers}) != len(
            self.discount_active_service_tiers
        ):
            raise ValueError("each tier's minimum once")
        self.discount_active_service_tiers = sorted(self.discount_active_service_tiers)
        return self


class PaymentSettings(_Group):
    """B-20: methods per client country (`*`: any other), currencies a method refuses, minimums per currency."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "payment_methods_by_country": {
                                              "AR": ["mercadopago", "stripe", "transfer"],
                                              "*": ["stripe", "transfer", "paypal"],
                                          },
            "payment_method_refused_currencies": {"paypal": ["UYU", "PYG", "VES"]},
            "payment_min_amount_minor": {"stripe": {"USD": 50, "ARS": 5000}, "paypal": {"USD": 100}},
        }
    ]})

    payment_methods_by_country: dict[CountryOrAny, Annotated[list[Method], Field(max_length=10)]] = Field(
        max_length=250
    )
    payment_method_refused_currencies: dict[Method, Annotated[list[CurrencyCode], Field(max_length=50)]] = Field(
        max_length=20
    )
    payment_min_amount_minor: dict[Method, Annotated[dict[CurrencyCode, Minor], Field(max_length=50)]] = Field(
        max_length=20
    )

    @model_validator(mode="after")
    def _fallback(self) -> PaymentSettings:
        if "*" not in self.payment_methods_by_country:
            raise ValueError("the methods of any other country ('*') are required")
        return self


class SellerIdentity(_Group):
    """Who issues the invoices: printed on each invoice."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "seller_name": "Abono Hosting S.R.L.",
            "seller_address": "Av. Corrientes 1234, CABA, Argentina",
            "seller_tax_id": "30-71234567-8",
            "seller_logo_url": "https://example.com/logo.png",
        }
    ]})

    seller_name: str = Field(min_length=1, max_length=200)
    seller_address: str = Field(default="", max_length=500)
    seller_tax_id: str = Field(default="", max_length=40)
    # An https address or an inline image (PNG, JPEG, SVG) of at most ~150 kB.
    seller_logo_url: str = Field(
        default="",
        max_length=200_000,
        pattern=(r"^(|https://\S+|data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+)$"),
    )


class TransferSettings(_Group):
    """B-19: bank details per currency and client country (`*`: any other country)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "transfer_instructions": [
                                         {
                                             "currency": "ARS",
                                             "country": "AR",
                                             "bank_name": "Banco Nación",
                                             "account_holder": "Abono Hosting S.R.L.",
                                             "account_number": "0110012345678901234567",
                                             "alias": "ABONO.HOSTING",
                                             "holder_tax_id": "30-71234567-8",
                                         },
                                     ],
        }
    ]})

    transfer_instructions: list[TransferInstruction] = Field(max_length=50)

    @model_validator(mode="after")
    def _unique(self) -> TransferSettings:
        keys = [(t.currency, t.country) for t in self.transfer_instructions]
        if len(set(keys)) != len(keys):
            raise ValueError("one set of instructions per currency and country")
        return self


GROUPS: dict[str, type[_Group]] = {
    "dunning": DunningSettings,
    "discounts": DiscountSettings,
    "payments": PaymentSettings,
    "seller": SellerIdentity,
    "transfers": TransferSettings,
}
G = TypeVar("G", bound=_Group)
GroupKey = Literal["dunning", "discounts", "payments", "seller", "transfers"]


class GroupState(BaseModel, Generic[G]):
    """A group's values now; `source` "console" (an admin set them) or "environment" (the defaults)."""

    value: G
    source: Literal["console", "environment"]
    updated_at: datetime | None = None
    updated_by: uuid.UUID | None = None


class BusinessSettingsPublic(BaseModel):
    dunning: GroupState[DunningSettings]
    discounts: GroupState[DiscountSettings]
    payments: GroupState[PaymentSettings]
    seller: GroupState[SellerIdentity]
    transfers: GroupState[TransferSettings]


class SettingChange(BaseModel):
    """One audited change: who, when, the group, before and after."""

    at: datetime
    actor_id: uuid.UUID
    actor_email: str | None
    action: Literal["business_setting_set", "business_setting_reset"]
    key: str
    before: dict[str, Any]
    after: dict[str, Any]

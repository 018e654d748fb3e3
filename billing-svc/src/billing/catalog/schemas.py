import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from abono.bounds import LongText, MoneyMinor
from abono.money import CurrencyCode, exponent
from billing.catalog.models import Activation, ProductKind
from billing.cycles import Cycle

ProductCode = Annotated[str, Field(max_length=63, pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
MinorAmount = MoneyMinor
# The provisioning driver's own settings (free-form JSON, kept small: the body limit bounds the rest).
DriverSettings = Annotated[dict[Annotated[str, Field(max_length=100)], Any], Field(max_length=50)]


class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: Cycle
    currency: CurrencyCode
    amount_minor: MinorAmount

    @field_validator("currency")
    @classmethod
    def _known(cls, value: str) -> str:
        exponent(value)  # ValueError for a currency we do not know
        return value


class PricePublic(PriceIn):
    model_config = ConfigDict(from_attributes=True)


class PriceAmount(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount_minor": 6000}]})

    amount_minor: MinorAmount


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "code": "hosting-start",
            "name": "Hosting Start",
            "description": "1 sitio, 5 GB, correo incluido.",
            "kind": "shared_hosting",
            "cycles": ["semiannual", "annual"],
            "activation": "automatic",
            "driver": "cpanel",
            "driver_settings": {"server": "whm1", "package": "start"},
            "upgrade_to": [],
            "prices": [
                          {"cycle": "annual", "currency": "USD", "amount_minor": 6000},
                          {"cycle": "annual", "currency": "ARS", "amount_minor": 7200000},
                      ],
        }
    ]})

    code: ProductCode
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: LongText = ""
    kind: ProductKind
    cycles: Annotated[list[Cycle], Field(min_length=1, max_length=10)]
    activation: Activation
    driver: Annotated[str, Field(min_length=1, max_length=100)]
    driver_settings: DriverSettings = {}
    upgrade_to: Annotated[list[ProductCode], Field(max_length=50)] = []
    prices: Annotated[list[PriceIn], Field(max_length=200)] = []


class ProductUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Hosting Start 2026", "upgrade_to": ["hosting-plus"]}
    ]})

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: LongText | None = None
    cycles: Annotated[list[Cycle], Field(min_length=1, max_length=10)] | None = None
    activation: Activation | None = None
    driver: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    driver_settings: DriverSettings | None = None
    upgrade_to: Annotated[list[ProductCode], Field(max_length=50)] | None = None
    active: bool | None = None


class ProductPublic(BaseModel):
    """What a client sees of a product."""

    id: uuid.UUID
    code: str
    name: str
    description: str
    kind: ProductKind
    cycles: list[Cycle]
    activation: Activation
    upgrade_to: list[str]
    active: bool
    prices: list[PricePublic]


class ProductDetail(ProductPublic):
    """Staff's view: also the provisioning driver and its settings."""

    driver: str
    driver_settings: dict[str, Any]
    # Why provisioning cannot run it as configured (a server or endpoint missing there); null if it can, or while
    # provisioning has not reported its configuration yet (#19 item 3).
    provisioning_problem: str | None = None


class PublicCatalog(BaseModel):
    """The storefront's catalog (no login): active products with their prices in one currency (#19 item 2)."""

    currency: str
    products: list[ProductPublic]


class CatalogChange(BaseModel):
    """One audited change of the catalog or the coupons: who, when, what, the value before and after."""

    at: datetime
    actor_id: uuid.UUID
    actor_email: str | None = None
    action: str  # product_created, product_updated, price_set, price_deleted, tld_price_set, coupon_created, ...
    code: str  # the product's or the coupon's code
    cycle: str | None = None  # a price's cycle and currency
    currency: str | None = None
    before: Any = None
    after: Any = None

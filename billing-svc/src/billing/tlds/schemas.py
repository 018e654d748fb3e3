from pydantic import BaseModel, ConfigDict

from abono.bounds import MoneyMinor
from billing.cycles import Cycle


class TldPriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"register_minor": 1250, "renew_minor": 1450, "transfer_minor": 1100}
    ]})

    register_minor: MoneyMinor
    renew_minor: MoneyMinor
    transfer_minor: MoneyMinor


class TldPricePublic(BaseModel):
    cycle: Cycle
    years: int
    currency: str
    register_minor: int
    renew_minor: int
    transfer_minor: int


class TldPublic(BaseModel):
    """One TLD the provider sells (a domain product), with its prices (D-1)."""

    product_code: str
    name: str
    tld: str
    cycles: list[Cycle]
    prices: list[TldPricePublic]
    # D-3: whether a name registered elsewhere can be brought in with its EPP code (NIC Argentina's .com.ar has no
    # EPP transfers: its holder changes hands in NIC's own TAD procedure). `driver_settings.transfer_in`.
    transfers: bool = True

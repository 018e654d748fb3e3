"""Exact money: integer minor units and an ISO 4217 code (C-4, ARCHITECTURE "Money").

No float ever enters a `Money`: amounts are `int` (not `bool`), rates and proration use `Decimal`
with an explicit HALF_UP quantize to the currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

# ISO 4217 minor-unit exponents for the currencies the provider invoices in (and a few neighbours).
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "ARS": 2,
    "UYU": 2,
    "COP": 2,
    "PEN": 2,
    "MXN": 2,
    "BRL": 2,
    "BOB": 2,
    "VES": 2,
    "GTQ": 2,
    "CRC": 2,
    "DOP": 2,
    "CLP": 0,
    "PYG": 0,
    "JPY": 0,
}


class MoneyError(ValueError):
    """An amount or currency that cannot be money, or two currencies mixed."""


def exponent(currency: str) -> int:
    """Number of decimal places of `currency`'s minor unit (CLP: 0, USD: 2)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


def _check_amount(amount_minor: object) -> int:
    # bool is an int subclass: True must never become one cent.
    if type(amount_minor) is not int:
        raise MoneyError(f"amount must be an int of minor units, not {type(amount_minor).__name__}")
    return amount_minor


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        _check_amount(self.amount_minor)
        exponent(self.currency)

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str, currency: str) -> Money:
        """Major units (e.g. Decimal("12.345") USD) rounded HALF_UP to the minor unit."""
        if isinstance(amount, float):  # pragma: no cover - guarded by typing, kept for callers without it
            raise MoneyError("floats are not money")
        value = Decimal(amount)
        if not value.is_finite():
            raise MoneyError("amount must be finite")
        scaled = (value * (Decimal(10) ** exponent(currency))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    # --- arithmetic ---------------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        """Exact multiplication by a whole quantity."""
        return Money(self.amount_minor * _check_amount(quantity), self.currency)

    def scale(self, factor: Decimal) -> Money:
        """Multiply by a `Decimal` rate (a discount, a proration), rounding HALF_UP to the minor unit."""
        if not isinstance(factor, Decimal):
            raise MoneyError("scale factor must be a Decimal")
        scaled = (Decimal(self.amount_minor) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(scaled), self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split into parts proportional to `weights` that sum exactly to this amount.

        Largest-remainder method: each part gets its floor share, the leftover minor units go to the
        parts with the largest remainders (ties to the earliest part).
        """
        if not weights or any(type(w) is not int or w < 0 for w in weights) or sum(weights) == 0:
            raise MoneyError("weights must be non-negative ints with a positive sum")
        total = sum(weights)
        sign = -1 if self.amount_minor < 0 else 1
        amount = abs(self.amount_minor)
        shares = [amount * w // total for w in weights]
        remainders = [amount * w % total for w in weights]
        leftover = amount - sum(shares)
        for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
            shares[index] += 1
        return [Money(sign * s, self.currency) for s in shares]

    # --- comparison ---------------------------------------------------------------------------
    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor >= other.amount_minor

    def is_zero(self) -> bool:
        return self.amount_minor == 0

    def is_negative(self) -> bool:
        return self.amount_minor < 0

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"


def _known(currency: str) -> str:
    exponent(currency)  # MoneyError (a ValueError): a 422 in a request, wherever the code comes from
    return currency


# An ISO 4217 code we know the minor unit of; the schema lists them, so a client sees what is accepted.
CurrencyCode = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$"),
    AfterValidator(_known),
    WithJsonSchema({"type": "string", "enum": sorted(CURRENCY_EXPONENTS), "minLength": 3, "maxLength": 3}),
]


class MoneyModel(BaseModel):
    """Money on the wire: `{"amount_minor": 1250, "currency": "USD"}`; strict, so `false` is not 0."""

    model_config = ConfigDict(frozen=True, strict=True)

    amount_minor: StrictInt
    currency: CurrencyCode

    def to_money(self) -> Money:
        try:
            return Money(self.amount_minor, self.currency)
        except MoneyError as exc:
            raise ValueError(str(exc)) from exc

    @classmethod
    def of(cls, money: Money) -> MoneyModel:
        return cls(amount_minor=money.amount_minor, currency=money.currency)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        exponent(value)
        return value

"""Money is exact (C-4, ARCHITECTURE "Money"): integer minor units, HALF_UP, no float, no bool."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from abono.money import Money, MoneyError, MoneyModel


def test_c4_amounts_are_integer_minor_units_never_float_or_bool() -> None:
    with pytest.raises(MoneyError):
        Money(10.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(True, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(100, "XXX")
    assert Money(100, "USD").to_decimal() == Decimal("1.00")


def test_c4_clp_has_no_minor_unit() -> None:
    assert Money.from_decimal(Decimal("1500"), "CLP") == Money(1500, "CLP")
    assert Money.from_decimal(Decimal("1500.5"), "CLP") == Money(1501, "CLP")
    assert str(Money(1500, "CLP")) == "1500 CLP"


def test_rounding_is_half_up_not_half_even() -> None:
    assert Money.from_decimal(Decimal("2.675"), "USD").amount_minor == 268
    assert Money.from_decimal(Decimal("2.665"), "USD").amount_minor == 267
    assert Money.from_decimal(Decimal("-2.675"), "USD").amount_minor == -268
    assert Money(1005, "USD").scale(Decimal("0.5")).amount_minor == 503  # 502.5 → 503


def test_currencies_never_mix() -> None:
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") + Money(1, "ARS")
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") < Money(1, "ARS")


def test_arithmetic() -> None:
    assert Money(150, "USD") - Money(200, "USD") == Money(-50, "USD")
    assert Money(333, "USD").times(3) == Money(999, "USD")
    assert (-Money(5, "USD")).is_negative()
    with pytest.raises(MoneyError):
        Money(1, "USD").scale(0.2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "weights"),
    [(100, [1, 1, 1]), (1, [1, 1]), (10_000, [31, 28, 31, 30]), (-100, [1, 2]), (7, [0, 5, 2]), (99_999, [3] * 7)],
)
def test_proration_parts_sum_to_the_total(amount: int, weights: list[int]) -> None:
    parts = Money(amount, "USD").allocate(weights)
    assert sum(p.amount_minor for p in parts) == amount
    assert len(parts) == len(weights)
    # every part is within one minor unit of its exact share
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part.amount_minor - amount * weight / total) < 1


def test_allocate_refuses_bad_weights() -> None:
    for weights in ([], [0, 0], [1, -1]):
        with pytest.raises(MoneyError):
            Money(100, "USD").allocate(weights)


def test_wire_model_is_strict() -> None:
    assert MoneyModel.model_validate({"amount_minor": 1250, "currency": "USD"}).to_money() == Money(1250, "USD")
    for bad in (
        {"amount_minor": False, "currency": "USD"},
        {"amount_minor": 12.5, "currency": "USD"},
        {"amount_minor": "1250", "currency": "USD"},
        {"amount_minor": 1, "currency": "usd"},
        {"amount_minor": 1, "currency": "ZZZ"},
    ):
        with pytest.raises(ValidationError):
            MoneyModel.model_validate(bad)

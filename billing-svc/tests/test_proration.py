"""B-14 proration, pure: exact to the minor unit, HALF_UP, leap years, CLP without a minor unit, zero days."""

from datetime import date
from decimal import Decimal

import pytest

from abono.money import Money
from billing.changes.proration import prorate, prorated


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def test_b14_charges_the_difference_for_the_days_left_including_the_upgrade_day() -> None:
    # Paid 1 → 31 March (30 days); upgraded on 11 March: 20 days left. 13.00 * 20/30 = 8.666… → 8.67.
    p = prorate(old_price=usd(1500), new_price=usd(2800), period_start_on=date(2027, 3, 1),
                period_end_on=date(2027, 3, 31), today=date(2027, 3, 11))
    assert (p.remaining_days, p.period_days, p.amount) == (20, 30, usd(867))
    assert p.describe() == "(28.00 USD - 15.00 USD) * 20/30 días = 8.67 USD"


def test_b14_leap_years_count_their_366_days() -> None:
    leap = prorate(old_price=usd(0), new_price=usd(36600), period_start_on=date(2028, 1, 1),
                   period_end_on=date(2029, 1, 1), today=date(2028, 2, 29))
    assert (leap.remaining_days, leap.period_days, leap.amount) == (307, 366, usd(30700))
    plain = prorate(old_price=usd(0), new_price=usd(36500), period_start_on=date(2027, 1, 1),
                    period_end_on=date(2028, 1, 1), today=date(2027, 3, 1))
    assert (plain.remaining_days, plain.period_days, plain.amount) == (306, 365, usd(30600))


def test_b14_clp_has_no_minor_unit() -> None:
    p = prorate(old_price=Money(10_000, "CLP"), new_price=Money(15_000, "CLP"), period_start_on=date(2027, 1, 1),
                period_end_on=date(2027, 1, 31), today=date(2027, 1, 21))
    assert p.amount == Money(1_667, "CLP")  # 5000 * 10/30 = 1666.67 → 1667 pesos
    assert p.describe() == "(15000 CLP - 10000 CLP) * 10/30 días = 1667 CLP"


def test_b14_zero_days_left_costs_nothing_and_a_whole_period_costs_the_whole_difference() -> None:
    kwargs = {"old_price": usd(1000), "new_price": usd(2000), "period_start_on": date(2027, 1, 1),
              "period_end_on": date(2027, 2, 1)}
    assert prorate(**kwargs, today=date(2027, 2, 1)).amount == usd(0)  # type: ignore[arg-type]
    assert prorate(**kwargs, today=date(2027, 3, 1)).remaining_days == 0  # type: ignore[arg-type]
    assert prorate(**kwargs, today=date(2026, 12, 1)).amount == usd(1000)  # type: ignore[arg-type]


def test_b14_a_cheaper_plan_gives_a_negative_difference() -> None:
    p = prorate(old_price=usd(2800), new_price=usd(1500), period_start_on=date(2027, 3, 1),
                period_end_on=date(2027, 3, 31), today=date(2027, 3, 11))
    assert p.amount == usd(-867)  # half away from zero, like the positive case


def test_b14_an_exact_half_unit_rounds_up_where_a_rounded_ratio_would_not() -> None:
    # 0.14 * 1/28 = 0.005 exactly: HALF_UP gives 0.01. Scaling by the ratio 1/28 (itself rounded) gives 0.00.
    assert prorated(usd(14), 1, 28) == usd(1)
    assert usd(14).scale(Decimal(1) / Decimal(28)) == usd(0)
    assert prorated(usd(-14), 1, 28) == usd(-1)


def test_b14_remaining_days_must_fit_the_period() -> None:
    with pytest.raises(ValueError):
        prorated(usd(100), 31, 30)
    with pytest.raises(ValueError):
        prorated(usd(100), 0, 0)

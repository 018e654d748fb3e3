"""B-14 proration, pure: `(new_price - old_price) * remaining_days / period_days`, exact to the minor unit.

The ratio is never rounded on its own: `Money.scale(Decimal(5) / Decimal(6))` would first round 5/6 to 28 digits
(…8333, below the true value) and turn an exact half-unit into a round-down. The numerator is multiplied out in
whole minor units and divided once; a result that is exactly half a unit is a terminating decimal, so `Decimal`
holds it exactly and HALF_UP rounds it as the rule says. CLP (no minor unit) works the same in whole pesos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from abono.money import Money


@dataclass(frozen=True)
class Proration:
    old_price: Money
    new_price: Money
    period_start_on: date
    period_end_on: date
    remaining_days: int
    period_days: int
    amount: Money  # negative: the new plan costs less for the rest of the period (becomes credit balance)

    def describe(self) -> str:
        """The computation as the invoice line shows it."""
        return (f"({self.new_price} - {self.old_price}) * {self.remaining_days}/{self.period_days} días "
                f"= {self.amount}")


def prorated(difference: Money, remaining_days: int, period_days: int) -> Money:
    """`difference * remaining_days / period_days`, rounded once, HALF_UP (half away from zero)."""
    if period_days <= 0 or not 0 <= remaining_days <= period_days:
        raise ValueError("need 0 <= remaining_days <= period_days and period_days > 0")
    exact = Decimal(difference.amount_minor * remaining_days) / Decimal(period_days)
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), difference.currency)


def prorate(*, old_price: Money, new_price: Money, period_start_on: date, period_end_on: date,
            today: date) -> Proration:
    """The upgrade's charge for the paid period [start, end) from `today` (the upgrade day counts) to its end."""
    period_days = (period_end_on - period_start_on).days
    remaining = min(max((period_end_on - max(today, period_start_on)).days, 0), period_days)
    amount = prorated(new_price - old_price, remaining, period_days)
    return Proration(old_price, new_price, period_start_on, period_end_on, remaining, period_days, amount)

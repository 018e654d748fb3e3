"""Pure rules of the referral free month and the 2x1 (B-12, F-4): no I/O."""

from __future__ import annotations

import uuid

from abono.money import Money


def referral_credit(*, monthly_price: Money | None, unit_price: Money, cycle_months: int,
                    free_months: int) -> tuple[Money, str]:
    """The credit one referred friend who pays earns the referrer, and how it was found.

    `monthly_price`: the monthly price of the friend's first service in the referrer's currency (None: not sold
    monthly in that currency); then `free_months` times it. Else the price the friend was charged for one unit of
    that service (`unit_price`, its cycle's price before discounts, in the friend's currency) prorated to months
    exactly: the cycle's price split into `cycle_months` shares that sum to it exactly (largest remainder, so the
    first shares carry the remaining minor units), and the first `free_months` shares (all of them at most).
    """
    if free_months < 0 or cycle_months < 1:
        raise ValueError("free_months must be >= 0 and cycle_months >= 1")
    if monthly_price is not None:
        return monthly_price.times(free_months), f"{free_months} x monthly price"
    shares = unit_price.allocate([1] * cycle_months)
    whole, rest = divmod(free_months, cycle_months)
    total = sum(shares[:rest], unit_price.times(whole))
    return total, f"{free_months}/{cycle_months} of the {cycle_months}-month price"


def pair_key(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The two clients of a 2x1 pair in a fixed order (the pair's unique key, and the lock's name)."""
    return (a, b) if a.bytes < b.bytes else (b, a)

"""S-4 Decision, as arithmetic: downtime is the union of a server's incident intervals inside a window, minus the
maintenance windows announced long enough before; uptime is what is left of the window; the credit tier follows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

Interval = tuple[datetime, datetime]


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of intervals, as disjoint sorted ones (empty intervals dropped)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clipped(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    lo, hi = window
    return [(max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi]


def minus(intervals: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """`intervals` with every part covered by `holes` cut out (both disjoint and sorted)."""
    out: list[Interval] = []
    for start, end in intervals:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((e - s for s, e in intervals), timedelta())


def downtime(*, incidents: Iterable[Interval], excused: Iterable[Interval], window: Interval) -> timedelta:
    """Incident time inside `window` not covered by excused (announced) maintenance."""
    return total(minus(merged(clipped(incidents, window)), merged(clipped(excused, window))))


def uptime_percent(down: timedelta, window: Interval) -> Decimal:
    """100 * (1 - down / window), rounded half-up to 3 decimals."""
    length = (window[1] - window[0]).total_seconds()
    value = Decimal(100) * (Decimal(1) - Decimal(down.total_seconds()) / Decimal(length))
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CreditTier:
    below_percent: Decimal  # uptime strictly below this ...
    credit_percent: int  # ... earns this share of the monthly-equivalent price


def credit_for(down: timedelta, window: Interval, tiers: Sequence[CreditTier]) -> int:
    """The deepest tier the month's exact uptime falls below (0: the promise was kept). Compared unrounded, so a
    month just under 99.89% is not rounded back up to it."""
    length = Decimal((window[1] - window[0]).total_seconds())
    exact = Decimal(100) * (Decimal(1) - Decimal(down.total_seconds()) / length)
    earned = [t.credit_percent for t in tiers if exact < t.below_percent]
    return max(earned, default=0)

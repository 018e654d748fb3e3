"""The business clock (S-2): how much business time lies between two instants, and which instant is a given amount
of business time after another. Pure: no database, no clock; the calendar's days off come in as arguments.

Business hours are `opens`-`closes` local time (America/Argentina/Buenos_Aires by default) on working days: Monday
to Friday, minus the `holidays` package's calendar of the country, minus the days staff added, plus the days staff
gave back (a bridge day the provider works). All arithmetic is done on UTC instants, so a zone with DST is handled
too; Buenos Aires has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from abono.business_days import BusinessDays

ZERO = timedelta(0)


class Calendar(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant `duration` of counted time after `start`."""
        ...

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Counted time from `start` to `end` (zero if `end` is not after `start`)."""
        ...


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("business-clock instants must be timezone-aware")
    return instant.astimezone(UTC)


class AroundTheClock:
    """SLA2 and SLA3: every minute counts."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        if duration < ZERO:
            raise ValueError("durations are never negative")
        return _utc(start) + duration

    def between(self, start: datetime, end: datetime) -> timedelta:
        return max(_utc(end) - _utc(start), ZERO)


@dataclass(frozen=True)
class BusinessHours:
    """SLA1 and SLA4: only `opens`-`closes` on working days count."""

    timezone: str = "America/Argentina/Buenos_Aires"
    opens: time = time(10, 0)
    closes: time = time(17, 0)
    country: str | None = "AR"
    days_off: frozenset[date] = field(default_factory=frozenset)  # staff overrides: closed although a weekday
    working_days: frozenset[date] = field(default_factory=frozenset)  # staff overrides: open although a holiday

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("business hours must open before they close")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> BusinessDays:
        """The same calendar as billing's and provisioning's business days (`abono.business_days`)."""
        return BusinessDays(country=self.country, days_off=self.days_off, working_days=self.working_days)

    def is_working_day(self, day: date) -> bool:
        return self.days.is_business_day(day)

    def local_date(self, instant: datetime) -> date:
        return _utc(instant).astimezone(self.zone).date()

    def _window(self, day: date) -> tuple[datetime, datetime]:
        zone = self.zone
        return (datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC),
                datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        if duration < ZERO:
            raise ValueError("durations are never negative")
        current = _utc(start)
        if duration == ZERO:
            return current
        remaining = duration
        day = self.local_date(current)
        while True:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                current = max(current, opens)
                if current < closes:
                    available = closes - current
                    if remaining <= available:
                        return current + remaining
                    remaining -= available
            day += timedelta(days=1)

    def between(self, start: datetime, end: datetime) -> timedelta:
        start, end = _utc(start), _utc(end)
        if end <= start:
            return ZERO
        total = ZERO
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                overlap = min(end, closes) - max(start, opens)
                if overlap > ZERO:
                    total += overlap
            day += timedelta(days=1)
        return total

    def next_open(self, instant: datetime) -> datetime:
        """`instant` itself if it falls within business hours, else the next opening."""
        current = _utc(instant)
        day = self.local_date(current)
        while True:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                if current < closes:
                    return max(current, opens)
            day += timedelta(days=1)

    def within_hours(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) lies inside one working day's business hours (S-7 slots)."""
        start, end = _utc(start), _utc(end)
        day = self.local_date(start)
        if end <= start or not self.is_working_day(day):
            return False
        opens, closes = self._window(day)
        return opens <= start and end <= closes

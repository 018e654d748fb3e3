"""The provider's business calendar (P-3): weekends and the configured country's public holidays are skipped."""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


class BusinessCalendar:
    def __init__(self, *, country: str, timezone: str) -> None:
        self.country = country
        self.zone = ZoneInfo(timezone)

    def local_date(self, instant: datetime) -> date:
        """The provider's calendar date at `instant`."""
        return instant.astimezone(self.zone).date()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _holidays(self.country, day.year)

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (start itself never counts)."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                left -= 1
        return current


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)

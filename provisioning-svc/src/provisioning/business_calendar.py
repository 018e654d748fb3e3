"""The provider's business calendar (P-3): weekends and the configured country's public holidays are skipped, and the
operator's holiday overrides too where a deadline is set (`abono.business_days`: support's overrides, announced)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from abono.business_days import BusinessDays


class BusinessCalendar:
    def __init__(self, *, country: str, timezone: str) -> None:
        self.country = country
        self.zone = ZoneInfo(timezone)
        self.public = BusinessDays(country=country)  # without the operator's overrides (they are in the database)

    def local_date(self, instant: datetime) -> date:
        """The provider's calendar date at `instant`."""
        return instant.astimezone(self.zone).date()

    def is_business_day(self, day: date) -> bool:
        return self.public.is_business_day(day)

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (start itself never counts), by the public calendar alone."""
        return self.public.add(start, days)

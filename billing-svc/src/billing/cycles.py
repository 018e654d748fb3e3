"""Billing cycles (C-2) and the provider's calendar: local dates and business days (B-5)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from abono.business_days import BusinessDays


class Cycle(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    BIENNIAL = "biennial"

    @property
    def months(self) -> int:
        return _MONTHS[self]

    @property
    def spanish(self) -> str:
        """The cycle as invoices' notes name it to the client ("mensual", "anual"...)."""
        return _SPANISH[self]

    def longer(self) -> Cycle:
        """B-8: the next longer step of monthly → quarterly → semiannual → annual (annual and biennial stay)."""
        return _LONGER.get(self, self)


_MONTHS = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3, Cycle.SEMIANNUAL: 6, Cycle.ANNUAL: 12, Cycle.BIENNIAL: 24}
_SPANISH = {Cycle.MONTHLY: "mensual", Cycle.QUARTERLY: "trimestral", Cycle.SEMIANNUAL: "semestral",
            Cycle.ANNUAL: "anual", Cycle.BIENNIAL: "bienal"}
_LONGER = {Cycle.MONTHLY: Cycle.QUARTERLY, Cycle.QUARTERLY: Cycle.SEMIANNUAL, Cycle.SEMIANNUAL: Cycle.ANNUAL}


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, cycle: Cycle) -> date:
    return add_months(start, cycle.months)


def local_date(instant: datetime, timezone: str) -> date:
    """The provider's calendar date of a UTC instant."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def add_business_days(start: date, days: int, country: str) -> date:
    """The `days`-th business day after `start` by the public calendar alone (weekends and the country's holidays
    skipped); deadlines count with the operator's overrides too (`abono.business_days.load_business_days`)."""
    return BusinessDays(country=country).add(start, days)

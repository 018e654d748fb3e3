"""The provider's business days, one calendar for every service: Monday to Friday, minus the `holidays` package's
public holidays of the provider's country, minus the days an operator closed (`day_off`), plus the days an operator
works although a weekend or a holiday (`working_day`). Support's SLA clocks (S-2), billing's B-5 and provisioning's
P-3 deadlines all count with `BusinessDays`.

The overrides belong to support (its console edits them, `calendar_overrides`); each change is announced
(`CalendarOverrideChanged`) and the services that count business days keep a copy of their own, the table
`holiday_overrides`, through `calendar_consumer()`, and read it when they compute a deadline (`load_business_days`):
no call back to support, and one calendar. A removed override stays as a row without a kind, so an older change
delivered late never brings it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Column, Date, DateTime, MetaData, Table, Text, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import new_metadata
from abono.events.calendar import CalendarOverrideChanged
from abono.messaging.consumer import Consumer

TABLE = "holiday_overrides"


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class BusinessDays:
    """Which days are business days. Pure: the overrides come in as arguments."""

    country: str | None = "AR"
    days_off: frozenset[date] = field(default_factory=frozenset)  # closed although a weekday
    working_days: frozenset[date] = field(default_factory=frozenset)  # open although a weekend or a holiday

    @classmethod
    def of(cls, country: str | None, overrides: Iterable[tuple[date, str | None]]) -> BusinessDays:
        """From (day, kind) pairs; a pair without a kind (a removed override) changes nothing."""
        pairs = list(overrides)
        return cls(country=country, days_off=frozenset(d for d, kind in pairs if kind == "day_off"),
                   working_days=frozenset(d for d, kind in pairs if kind == "working_day"))

    def is_business_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        if day.weekday() >= 5:
            return False
        return self.country is None or day not in public_holidays(self.country, day.year)

    def add(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (`start` itself never counts)."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                left -= 1
        return current


def override_table(metadata: MetaData) -> Table:
    """Define (or return the already defined) `holiday_overrides` on `metadata`: a service's copy of support's."""
    if TABLE in metadata.tables:
        return metadata.tables[TABLE]
    return Table(
        TABLE,
        metadata,
        Column("day", Date, primary_key=True),
        Column("kind", Text, nullable=True),  # day_off | working_day; NULL: removed (the public calendar applies)
        Column("changed_at", DateTime(timezone=True), nullable=False),
    )


def create_override_table() -> None:
    """For a service's Alembic revision: create `holiday_overrides`."""
    from alembic import op

    override_table(new_metadata()).create(op.get_bind())


_table = override_table(new_metadata())


async def record_override(session: AsyncSession, *, day: date, kind: str | None, changed_at: datetime) -> None:
    """Keep the day's latest change (an older one delivered late changes nothing)."""
    statement = insert(_table).values(day=day, kind=kind, changed_at=changed_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[_table.c.day],
            set_={"kind": statement.excluded.kind, "changed_at": statement.excluded.changed_at},
            where=_table.c.changed_at < statement.excluded.changed_at,
        )
    )


async def load_business_days(session: AsyncSession, country: str | None) -> BusinessDays:
    """The calendar as this service knows it now: the public holidays and the overrides it was told of."""
    rows = await session.execute(select(_table.c.day, _table.c.kind).where(_table.c.kind.is_not(None)))
    return BusinessDays.of(country, [(day, kind) for day, kind in rows])


def calendar_consumer() -> Consumer:
    """The consumer that keeps this service's `holiday_overrides` in step with support's overrides."""
    consumer = Consumer("holiday_overrides")

    @consumer.on(CalendarOverrideChanged)
    async def override_changed(session: AsyncSession, event: CalendarOverrideChanged) -> None:
        await record_override(session, day=event.day, kind=event.kind, changed_at=event.occurred_at)

    return consumer

"""S-2 business clock: property tests (hypothesis) and the worked examples of the S-3 Decision."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.sla.calendar import AroundTheClock, BusinessHours
from support.sla.policy import Plan, SlaClass, SlaTargets, first_response_due

BA = ZoneInfo("America/Argentina/Buenos_Aires")
HOURS = BusinessHours()
TARGETS = SlaTargets(
    first_response={Plan.STANDARD: timedelta(hours=8), Plan.PROFESSIONAL: timedelta(hours=2),
                    Plan.FULL: timedelta(minutes=15)},
    sla3_first_response_cap=timedelta(hours=2), resolution=timedelta(hours=48), warning_before=timedelta(minutes=15),
)

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                        timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=120))
day_sets = st.frozensets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), max_size=8)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BA)


@settings(max_examples=300, deadline=None)
@given(start=instants, duration=durations, off=day_sets, on=day_sets)
def test_s2_adding_then_measuring_business_time_round_trips(start: datetime, duration: timedelta,
                                                            off: frozenset[date], on: frozenset[date]) -> None:
    hours = BusinessHours(days_off=off, working_days=on - off)
    end = hours.add(start, duration)
    assert end >= start
    assert hours.between(start, end) == duration


@settings(max_examples=200, deadline=None)
@given(start=instants, end=instants)
def test_s2_measuring_then_adding_lands_at_or_before_the_end(start: datetime, end: datetime) -> None:
    if end < start:
        start, end = end, start
    spent = HOURS.between(start, end)
    assert spent <= end - start
    assert HOURS.add(start, spent) <= end
    # Nothing more is counted from there to the end: the rest lies outside business hours.
    assert HOURS.between(HOURS.add(start, spent), end) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_s2_weekends_and_holidays_contribute_nothing(day: date) -> None:
    start = local(day.year, day.month, day.day)
    whole_day = HOURS.between(start, start + timedelta(days=1))
    if HOURS.is_working_day(day):
        assert day.weekday() < 5
        assert whole_day == timedelta(hours=7)
    else:
        assert whole_day == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(a=instants, b=instants, c=instants)
def test_s2_business_time_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert HOURS.between(a, c) == HOURS.between(a, b) + HOURS.between(b, c)


@settings(max_examples=100, deadline=None)
@given(start=instants, duration=durations)
def test_s2_a_dst_zone_round_trips_too(start: datetime, duration: timedelta) -> None:
    madrid = BusinessHours(timezone="Europe/Madrid", country=None)
    assert madrid.between(start, madrid.add(start, duration)) == duration


@given(start=instants, duration=durations)
def test_s2_around_the_clock_counts_every_minute(start: datetime, duration: timedelta) -> None:
    clock = AroundTheClock()
    assert clock.add(start, duration) == start + duration
    assert clock.between(start, start + duration) == duration


def test_s2_argentine_holidays_and_staff_overrides() -> None:
    assert not HOURS.is_working_day(date(2026, 7, 9))  # Independence Day
    assert not HOURS.is_working_day(date(2026, 12, 7))  # a bridge day in the holidays package (FIELD-NOTES)
    assert HOURS.is_working_day(date(2026, 12, 9))
    staffed = BusinessHours(working_days=frozenset({date(2026, 12, 7)}), days_off=frozenset({date(2026, 12, 9)}))
    assert staffed.is_working_day(date(2026, 12, 7))  # staff removed the bridge day: the desk works
    assert not staffed.is_working_day(date(2026, 12, 9))  # staff added a day off


def test_s3_friday_1630_sla1_standard_is_due_next_business_day() -> None:
    # Friday 2026-12-04 16:30: 30 minutes that day, Monday 12-07 is a bridge day, Tuesday 12-08 a holiday
    # (Inmaculada Concepción): the remaining 7h30 fall on Wednesday 12-09 (7h) and Thursday 12-10 (30 min).
    opened = local(2026, 12, 4, 16, 30)
    due = first_response_due(opened_at=opened, plan=Plan.STANDARD, sla_class=SlaClass.SLA1, targets=TARGETS,
                             business_hours=HOURS)
    assert due == local(2026, 12, 10, 10, 30)
    # A plain week: Friday 2026-11-13 16:30 → 30 min Friday, 7 h Monday, 30 min Tuesday.
    due = first_response_due(opened_at=local(2026, 11, 13, 16, 30), plan=Plan.STANDARD, sla_class=SlaClass.SLA1,
                             targets=TARGETS, business_hours=HOURS)
    assert due == local(2026, 11, 17, 10, 30)


@pytest.mark.parametrize(("plan", "sla_class", "expected"), [
    (Plan.FULL, SlaClass.SLA2, local(2026, 11, 14, 3, 15)),  # around the clock, Saturday night
    (Plan.STANDARD, SlaClass.SLA3, local(2026, 11, 14, 5, 0)),  # SLA3: never later than 2 hours
    (Plan.PROFESSIONAL, SlaClass.SLA4, local(2026, 11, 16, 12, 0)),  # business hours only: Monday
])
def test_s3_targets_on_each_class_calendar(plan: Plan, sla_class: SlaClass, expected: datetime) -> None:
    opened = local(2026, 11, 14, 3, 0)  # Saturday 03:00
    assert first_response_due(opened_at=opened, plan=plan, sla_class=sla_class, targets=TARGETS,
                              business_hours=HOURS) == expected

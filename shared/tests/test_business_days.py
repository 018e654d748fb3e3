"""B-5 and P-3 count business days of the operator's calendar: the public holidays of the provider's country, minus
the days an operator closed, plus the days an operator works (#14 items 3 and 5). Pure logic, no database."""

from datetime import date

from abono.business_days import BusinessDays

# Thursday 1 April 2027; Friday 2 April is an Argentine public holiday (Malvinas).
DUE = date(2027, 4, 1)


def test_b5_skips_weekends_and_public_holidays() -> None:
    public = BusinessDays(country="AR")
    assert not public.is_business_day(date(2027, 4, 2))  # the holiday
    assert not public.is_business_day(date(2027, 4, 3))  # Saturday
    assert public.add(DUE, 5) == date(2027, 4, 9)  # 5, 6, 7, 8, 9 April
    assert public.add(date(2027, 3, 5), 1) == date(2027, 3, 8)  # Friday → Monday


def test_b5_and_p3_follow_a_day_off_the_operator_added() -> None:
    closed = BusinessDays.of("AR", [(date(2027, 4, 7), "day_off")])
    assert not closed.is_business_day(date(2027, 4, 7))
    assert closed.add(DUE, 5) == date(2027, 4, 12)  # Wednesday 7 does not count: Monday 12


def test_b5_and_p3_count_a_holiday_the_operator_works() -> None:
    worked = BusinessDays.of("AR", [(date(2027, 4, 2), "working_day"), (date(2027, 4, 3), "working_day")])
    assert worked.add(DUE, 5) == date(2027, 4, 7)  # Friday 2 and Saturday 3 count: 2, 3, 5, 6, 7


def test_a_removed_override_leaves_the_public_calendar() -> None:
    removed = BusinessDays.of("AR", [(date(2027, 4, 7), None)])
    assert removed == BusinessDays(country="AR")
    assert removed.add(DUE, 5) == date(2027, 4, 9)


def test_without_a_country_only_weekends_and_overrides_count() -> None:
    days = BusinessDays.of(None, [(date(2027, 4, 5), "day_off")])
    assert days.is_business_day(date(2027, 4, 2))  # no public holidays
    assert days.add(DUE, 2) == date(2027, 4, 6)  # Friday 2, (weekend, Monday 5 off) Tuesday 6

"""The injectable clock: test mode moves it, listeners (schedulers) are told."""

from datetime import UTC, datetime, timedelta

import pytest

from abono.clock import AdjustableClock, FixedClock, SystemClock


def test_system_clock_is_utc_aware() -> None:
    assert SystemClock().now().tzinfo is not None


def test_adjustable_clock_sets_moves_and_tells_listeners() -> None:
    clock = AdjustableClock()
    seen: list[datetime] = []
    clock.on_change(seen.append)
    target = datetime(2027, 1, 15, 12, tzinfo=UTC)
    clock.set(target)
    assert abs(clock.now() - target) < timedelta(seconds=1)
    clock.advance(timedelta(days=30))
    assert abs(clock.now() - (target + timedelta(days=30))) < timedelta(seconds=1)
    assert len(seen) == 2
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2027, 1, 1))


def test_fixed_clock_stands_still() -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(hours=1))
    assert clock.now() == datetime(2026, 1, 1, 1, tzinfo=UTC)

"""The platform's clock. Code reads business time from an injected `Clock`, never `datetime.now()`.

In test mode (`ABONO_TEST_MODE=true`) every service runs an `AdjustableClock` that the gateway moves
(`/api/test/clock`), so an end-to-end test can walk a client through weeks of billing in seconds.
The adjustable clock keeps running from where it was set: now = real now + offset.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("clock instants must be timezone-aware")
    return value.astimezone(UTC)


class AdjustableClock:
    """A clock with an offset from real time that can be set or moved; it tells listeners when it moves."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._listeners: list[Callable[[datetime], None]] = []

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, instant: datetime) -> datetime:
        self._offset = _aware(instant) - datetime.now(UTC)
        return self._changed()

    def set_offset(self, offset: timedelta) -> datetime:
        self._offset = offset
        return self._changed()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._offset += delta
        return self._changed()

    def on_change(self, listener: Callable[[datetime], None]) -> None:
        """Call `listener(now)` whenever the clock is set or moved (schedulers wake on it)."""
        self._listeners.append(listener)

    def _changed(self) -> datetime:
        current = self.now()
        for listener in self._listeners:
            listener(current)
        return current


class FixedClock:
    """A clock that stands still until moved: for unit tests of pure logic."""

    def __init__(self, instant: datetime) -> None:
        self._now = _aware(instant)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

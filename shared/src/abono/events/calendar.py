"""The provider's business calendar, changed by an operator (#14 item 5): support's console owns the overrides of the
public-holidays calendar and announces each change, so every service counting business days follows them (S-2's
clocks in support, B-5 in billing, P-3 in provisioning; see `abono.business_days`)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from abono.events.base import Event

OverrideKind = Literal["day_off", "working_day"]


class CalendarOverrideChanged(Event):
    """A day of the calendar was overridden (`day_off`: closed although a weekday; `working_day`: open although a
    weekend or a public holiday), or its override removed (`kind` None: the public-holidays calendar applies again).
    The latest `occurred_at` of a day wins."""

    routing_key: ClassVar[str] = "support.calendar.override_changed"
    day: date
    kind: OverrideKind | None

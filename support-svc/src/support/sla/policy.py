"""S-2 / S-3: SLA classes, support plans and the deadlines a ticket carries. Pure, like the calendar.

Decision (DOMAIN.md S-3): the first-response deadline is the plan's target counted on the ticket's class calendar
(business hours for SLA1/SLA4, around the clock for SLA2/SLA3), never later than 2 hours for SLA3. The resolution
deadline is 48 hours on the same calendar from the client's latest message, the clock stopped while the ticket
waits on the client. The numbers are settings (`SlaTargets`), never literals here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from support.sla.calendar import AroundTheClock, BusinessHours, Calendar


class SlaClass(StrEnum):
    SLA1 = "SLA1"  # advice: business hours
    SLA2 = "SLA2"  # preventive maintenance: around the clock
    SLA3 = "SLA3"  # error reports: around the clock, first answer within 2 hours
    SLA4 = "SLA4"  # design / software: business hours, never outside them


class Plan(StrEnum):
    STANDARD = "standard"
    PROFESSIONAL = "professional"
    FULL = "full"


PLAN_RANK = {Plan.STANDARD: 0, Plan.PROFESSIONAL: 1, Plan.FULL: 2}
BUSINESS_HOURS_CLASSES = frozenset({SlaClass.SLA1, SlaClass.SLA4})


@dataclass(frozen=True)
class SlaTargets:
    first_response: dict[Plan, timedelta]
    sla3_first_response_cap: timedelta
    resolution: timedelta
    warning_before: timedelta


def calendar_for(sla_class: SlaClass, business_hours: BusinessHours) -> Calendar:
    return business_hours if sla_class in BUSINESS_HOURS_CLASSES else AroundTheClock()


def first_response_due(*, opened_at: datetime, plan: Plan, sla_class: SlaClass, targets: SlaTargets,
                       business_hours: BusinessHours) -> datetime:
    target = targets.first_response[plan]
    if sla_class == SlaClass.SLA3:
        target = min(target, targets.sla3_first_response_cap)
    return calendar_for(sla_class, business_hours).add(opened_at, target)


def resolution_due(*, clock_started_at: datetime, already_spent: timedelta, sla_class: SlaClass,
                   targets: SlaTargets, business_hours: BusinessHours) -> datetime:
    """The resolution deadline of a running clock started at `clock_started_at` (the client's latest message, or
    the moment it resumed) with `already_spent` counted before a pause."""
    left = max(targets.resolution - already_spent, timedelta(0))
    return calendar_for(sla_class, business_hours).add(clock_started_at, left)


def spent_since(*, clock_started_at: datetime, now: datetime, sla_class: SlaClass,
                business_hours: BusinessHours) -> timedelta:
    return calendar_for(sla_class, business_hours).between(clock_started_at, now)

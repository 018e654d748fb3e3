"""S-3's two clocks on a ticket: set, paused, resumed and restarted as the conversation goes. Pure (no I/O)."""

from datetime import datetime, timedelta

from support.sla.calendar import BusinessHours
from support.sla.policy import Plan, SlaClass, SlaTargets, first_response_due, resolution_due, spent_since
from support.tickets.models import Ticket


def start(ticket: Ticket, *, now: datetime, targets: SlaTargets, hours: BusinessHours) -> None:
    """A new ticket: both clocks start at the client's first message."""
    ticket.first_response_due_at = first_response_due(opened_at=now, plan=Plan(ticket.plan),
                                                      sla_class=SlaClass(ticket.sla_class), targets=targets,
                                                      business_hours=hours)
    restart_resolution(ticket, now=now, targets=targets, hours=hours)


def restart_resolution(ticket: Ticket, *, now: datetime, targets: SlaTargets, hours: BusinessHours) -> None:
    """The client wrote: 48 hours (on the class calendar) from its latest message."""
    ticket.resolution_started_at, ticket.resolution_spent_seconds = now, 0
    ticket.resolution_due_at = resolution_due(clock_started_at=now, already_spent=timedelta(0),
                                              sla_class=SlaClass(ticket.sla_class), targets=targets,
                                              business_hours=hours)


def pause_resolution(ticket: Ticket, *, now: datetime, hours: BusinessHours) -> None:
    """Waiting on the client, or closed: the clock stops, keeping what it counted."""
    if ticket.resolution_due_at is None or ticket.resolution_started_at is None:
        return
    spent = spent_since(clock_started_at=ticket.resolution_started_at, now=now,
                        sla_class=SlaClass(ticket.sla_class), business_hours=hours)
    ticket.resolution_spent_seconds += int(spent.total_seconds())
    ticket.resolution_started_at, ticket.resolution_due_at = None, None


def resume_resolution(ticket: Ticket, *, now: datetime, targets: SlaTargets, hours: BusinessHours) -> None:
    """Staff took the ticket back without a client message: the clock goes on from what it had counted."""
    if ticket.resolution_due_at is not None:
        return
    ticket.resolution_started_at = now
    ticket.resolution_due_at = resolution_due(
        clock_started_at=now, already_spent=timedelta(seconds=ticket.resolution_spent_seconds),
        sla_class=SlaClass(ticket.sla_class), targets=targets, business_hours=hours)


def next_deadline(ticket: Ticket) -> datetime | None:
    running = [d for d in (None if ticket.first_responded_at else ticket.first_response_due_at,
                           ticket.resolution_due_at) if d is not None]
    return min(running, default=None)

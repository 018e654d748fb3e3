"""S-3 Decision: a warning 15 minutes before each deadline and the breach at it, flagged once each (the unique
`sla_flags` row decides, so any number of scheduler replicas agree), the priority raised, staff told (event)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import TicketSlaFlagged
from abono.messaging import emit
from abono.metrics import count_after_commit
from support.metrics import SLA_FLAGS
from support.runtime import Runtime
from support.tickets.models import PRIORITY_RANK, Priority, Ticket
from support.tickets.repository import TicketRepository

STAGE_PRIORITY = {"warning": Priority.HIGH, "breach": Priority.URGENT}


def _due_stages(ticket: Ticket, *, now: datetime, runtime: Runtime) -> list[tuple[str, str, datetime]]:
    warning = runtime.settings.targets().warning_before
    deadlines = []
    if ticket.first_responded_at is None and ticket.first_response_due_at is not None:
        deadlines.append(("first_response", ticket.first_response_due_at))
    if ticket.resolution_due_at is not None:
        deadlines.append(("resolution", ticket.resolution_due_at))
    stages = []
    for name, due in deadlines:
        if due - warning <= now:
            stages.append((name, "warning", due))
        if due <= now:
            stages.append((name, "breach", due))
    return stages


async def flag_due_deadlines(session: AsyncSession, runtime: Runtime) -> int:
    """One pass: flag what fell due; returns how many flags this pass recorded."""
    now = runtime.clock.now()
    repo = TicketRepository(session)
    tickets = await repo.claim_due(now=now, warn_until=now + runtime.settings.targets().warning_before,
                                   limit=runtime.settings.scheduler_batch_size)
    flagged = 0
    for ticket in tickets:
        for deadline, stage, due in _due_stages(ticket, now=now, runtime=runtime):
            if not await repo.flag(ticket_id=ticket.id, deadline=deadline, stage=stage, due_at=due, now=now):
                continue
            flagged += 1
            raised = STAGE_PRIORITY[stage]
            if PRIORITY_RANK[raised] > PRIORITY_RANK[Priority(ticket.priority)]:
                ticket.priority = raised.value
            count_after_commit(session, SLA_FLAGS, deadline=deadline, stage=stage, sla_class=ticket.sla_class)
            await emit(session, TicketSlaFlagged(
                ticket_id=ticket.id, client_id=ticket.client_id, code=ticket.code, subject=ticket.subject,
                sla_class=ticket.sla_class, plan=ticket.plan, deadline=deadline, stage=stage, due_at=due,
                priority=ticket.priority, assigned_to=ticket.assigned_to, occurred_at=now))
    await session.flush()
    return flagged

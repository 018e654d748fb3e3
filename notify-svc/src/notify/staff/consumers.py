"""The staff roster from the gateway's events, and S-3's escalations told to the right staff: the ticket's assignee,
or every staff member while nobody has it. E-mail and the panel inbox, in each person's language."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import ClientUpdated, StaffRoleChanged, TicketSlaFlagged
from abono.messaging.consumer import Consumer
from notify.content.notices import ticket_escalated
from notify.messages.composer import Composer, Recipient
from notify.staff.models import StaffMember
from notify.staff.repository import StaffRepository


async def escalation_recipients(session: AsyncSession, event: TicketSlaFlagged) -> list[StaffMember]:
    """The assignee if it is still staff; otherwise (unassigned, or its assignee left the staff) everyone."""
    repo = StaffRepository(session)
    if event.assigned_to is not None and (assignee := await repo.get(event.assigned_to)) is not None:
        return [assignee]
    return list(await repo.everyone())


def build_consumer(composer: Composer, clock: Callable[[], Clock]) -> Consumer:
    consumer = Consumer("staff")

    @consumer.on(StaffRoleChanged)
    async def role_changed(session: AsyncSession, event: StaffRoleChanged) -> None:
        await StaffRepository(session).set_role(event.staff_id, event.role, event.profile, at=event.occurred_at)

    @consumer.on(ClientUpdated)
    async def profile_updated(session: AsyncSession, event: ClientUpdated) -> None:
        await StaffRepository(session).refresh_profile(event.client_id, event.profile, at=event.occurred_at)

    @consumer.on(TicketSlaFlagged)
    async def escalated(session: AsyncSession, event: TicketSlaFlagged) -> None:
        now = clock().now()
        for member in await escalation_recipients(session, event):
            recipient = Recipient(email=member.email, name=member.name, phone=None, language=member.language)
            await composer.compose_to(session, ticket_escalated(event, member.staff_id), recipient, now=now)

    return consumer

"""The staff roster from the gateway's events, and what staff are told, by e-mail and in the panel inbox, in each
person's language: S-3's escalations go to the ticket's assignee, or to every staff member while nobody has it; S-7's
appointment reminders to the appointment's staff member, or to every staff member (the remote-support desk)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import AppointmentReminder, ClientUpdated, StaffRoleChanged, TicketSlaFlagged
from abono.messaging.consumer import Consumer
from notify.content.notices import Notice, staff_appointment_reminder, ticket_escalated
from notify.messages.composer import Composer, Recipient
from notify.staff.models import StaffMember
from notify.staff.repository import StaffRepository


async def recipients(session: AsyncSession, staff_id: uuid.UUID | None) -> list[StaffMember]:
    """The staff member in charge if it is still staff; otherwise (nobody, or it left the staff) everyone."""
    repo = StaffRepository(session)
    if staff_id is not None and (member := await repo.get(staff_id)) is not None:
        return [member]
    return list(await repo.everyone())


async def tell(
    session: AsyncSession,
    composer: Composer,
    members: list[StaffMember],
    notice: Callable[[uuid.UUID], Notice],
    *,
    now: datetime,
) -> None:
    for member in members:
        recipient = Recipient(email=member.email, name=member.name, phone=None, language=member.language)
        await composer.compose_to(session, notice(member.staff_id), recipient, now=now)


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
        await tell(
            session,
            composer,
            await recipients(session, event.assigned_to),
            lambda staff_id: ticket_escalated(event, staff_id),
            now=clock().now(),
        )

    @consumer.on(AppointmentReminder)
    async def appointment_near(session: AsyncSession, event: AppointmentReminder) -> None:
        await tell(
            session,
            composer,
            await recipients(session, event.staff_id),
            lambda staff_id: staff_appointment_reminder(event, staff_id),
            now=clock().now(),
        )

    return consumer

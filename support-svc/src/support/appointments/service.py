"""S-7 remote-support appointments: slots within business hours for plans that include remote support; no double
booking (PostgreSQL's exclusion constraint decides, not a check here); cancel or move up to a cut-off; reminders
the day before and an hour before, once each."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, Forbidden, InvalidInput, NotFound
from abono.events import AppointmentReminder
from abono.messaging import emit
from abono.metrics import count_after_commit
from support.appointments.models import Appointment
from support.appointments.repository import AppointmentRepository, SlotTaken
from support.appointments.schemas import AppointmentPublic, Slot
from support.clients.repository import ServiceRepository
from support.metrics import APPOINTMENTS
from support.runtime import Runtime
from support.sla.calendar import BusinessHours

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)


def public(appointment: Appointment, runtime: Runtime) -> AppointmentPublic:
    cutoff = timedelta(hours=runtime.settings.appointment_change_cutoff_hours)
    return AppointmentPublic(id=appointment.id, client_id=appointment.client_id, starts_at=appointment.starts_at,
                             ends_at=appointment.ends_at, topic=appointment.topic, ticket_id=appointment.ticket_id,
                             status=appointment.status, change_until=appointment.starts_at - cutoff)


def _check_slot(runtime: Runtime, starts_at: datetime, minutes: int, hours: BusinessHours) -> datetime:
    settings = runtime.settings
    if minutes not in settings.appointment_minutes:
        raise InvalidInput(f"An appointment lasts one of {settings.appointment_minutes} minutes.")
    if starts_at.tzinfo is None:
        raise InvalidInput("Give the start with its time zone offset.")
    starts_at = starts_at.astimezone(UTC)
    if starts_at.second or starts_at.microsecond or starts_at.minute % settings.appointment_step_minutes:
        raise InvalidInput(f"Appointments start on the {settings.appointment_step_minutes}-minute grid.")
    now = runtime.clock.now()
    if starts_at <= now:
        raise InvalidInput("That time has passed.")
    if starts_at > now + timedelta(days=settings.appointment_horizon_days):
        raise InvalidInput(f"Appointments can be booked up to {settings.appointment_horizon_days} days ahead.")
    # S-7: slots within business hours (S-2).
    if not hours.within_hours(starts_at, starts_at + timedelta(minutes=minutes)):
        raise InvalidInput("Appointments are within business hours, on working days.")
    return starts_at


async def book(*, session: AsyncSession, runtime: Runtime, client_id: uuid.UUID, starts_at: datetime, minutes: int,
               topic: str, ticket_id: uuid.UUID | None) -> Appointment:
    settings = runtime.settings
    plan = await ServiceRepository(session).plan_of(client_id, settings.plan_products)
    # S-3, S-7: remote support comes with some support plans only.
    if plan not in settings.remote_support_plans:
        raise Forbidden("Remote support comes with the Professional and Full support plans.", plan=plan.value)
    start = _check_slot(runtime, starts_at, minutes, await runtime.business_hours(session))
    appointment = Appointment(id=uuid.uuid4(), client_id=client_id, desk=settings.appointment_desk,
                              starts_at=start, ends_at=start + timedelta(minutes=minutes), topic=topic,
                              ticket_id=ticket_id, status="booked", created_at=runtime.clock.now())
    try:
        await AppointmentRepository(session).save(appointment)
    except SlotTaken:
        raise Conflict("That slot was just booked; pick another one.") from None
    count_after_commit(session, APPOINTMENTS, action="booked")
    return appointment


async def _changeable(session: AsyncSession, runtime: Runtime, appointment_id: uuid.UUID, *,
                      client_id: uuid.UUID | None) -> Appointment:
    appointment = await AppointmentRepository(session).get(appointment_id, for_update=True)
    if appointment is None or (client_id is not None and appointment.client_id != client_id):
        raise NotFound("No such appointment.")
    if appointment.status != "booked":
        raise Conflict("This appointment was cancelled.")
    cutoff = timedelta(hours=runtime.settings.appointment_change_cutoff_hours)
    if client_id is not None and runtime.clock.now() > appointment.starts_at - cutoff:
        raise Conflict(f"Appointments can be changed up to {runtime.settings.appointment_change_cutoff_hours} hours "
                       "before they start; contact us through a ticket.")
    return appointment


async def move(*, session: AsyncSession, runtime: Runtime, appointment_id: uuid.UUID, client_id: uuid.UUID | None,
               starts_at: datetime, minutes: int | None) -> Appointment:
    appointment = await _changeable(session, runtime, appointment_id, client_id=client_id)
    length = minutes or int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    start = _check_slot(runtime, starts_at, length, await runtime.business_hours(session))
    appointment.starts_at, appointment.ends_at = start, start + timedelta(minutes=length)
    appointment.reminded_day_at = appointment.reminded_hour_at = None  # remind again for the new time
    try:
        await AppointmentRepository(session).save(appointment)
    except SlotTaken:
        raise Conflict("That slot is taken; pick another one.") from None
    count_after_commit(session, APPOINTMENTS, action="rescheduled")
    return appointment


async def cancel(*, session: AsyncSession, runtime: Runtime, appointment_id: uuid.UUID,
                 client_id: uuid.UUID | None) -> Appointment:
    appointment = await _changeable(session, runtime, appointment_id, client_id=client_id)
    appointment.status, appointment.cancelled_at = "cancelled", runtime.clock.now()
    await session.flush()
    count_after_commit(session, APPOINTMENTS, action="cancelled")
    return appointment


async def free_slots(*, session: AsyncSession, runtime: Runtime, day: date, minutes: int) -> list[Slot]:
    """The slots of `day` (the provider's calendar) still free for `minutes`."""
    settings = runtime.settings
    if minutes not in settings.appointment_minutes:
        raise InvalidInput(f"An appointment lasts one of {settings.appointment_minutes} minutes.")
    hours = await runtime.business_hours(session)
    if not hours.is_working_day(day):
        return []
    opens = datetime.combine(day, hours.opens, tzinfo=hours.zone).astimezone(UTC)
    closes = datetime.combine(day, hours.closes, tzinfo=hours.zone).astimezone(UTC)
    booked = await AppointmentRepository(session).booked_between(settings.appointment_desk, opens, closes)
    now, length = runtime.clock.now(), timedelta(minutes=minutes)
    horizon = now + timedelta(days=settings.appointment_horizon_days)
    slots, start = [], opens
    while start + length <= closes:
        end = start + length
        if now < start <= horizon and not any(b.starts_at < end and b.ends_at > start for b in booked):
            slots.append(Slot(starts_at=start, ends_at=end))
        start += timedelta(minutes=settings.appointment_step_minutes)
    return slots


async def send_reminders(session: AsyncSession, runtime: Runtime) -> int:
    """Scheduler job: the day-before and hour-before reminders due now, once each (the row's `reminded_*_at`,
    set under `FOR UPDATE SKIP LOCKED`, is the once-only key)."""
    now, repo, sent = runtime.clock.now(), AppointmentRepository(session), 0
    limit = runtime.settings.scheduler_batch_size
    for lead, window_start, window_end in (("day", now + HOUR, now + DAY), ("hour", now, now + HOUR)):
        for appointment in await repo.claim_reminders(lead=lead, now=now, window_start=window_start,
                                                      window_end=window_end, limit=limit):
            if lead == "day":
                appointment.reminded_day_at = now
            else:
                appointment.reminded_hour_at = now
            await emit(session, AppointmentReminder(
                appointment_id=appointment.id, client_id=appointment.client_id, starts_at=appointment.starts_at,
                ends_at=appointment.ends_at, lead=lead, topic=appointment.topic, occurred_at=now))
            sent += 1
    await session.flush()
    return sent

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from support.appointments.models import Appointment

EXCLUSION_VIOLATION = "23P01"
# Two bookings of one slot inserted at the same moment each wait on the other's row for the exclusion check: the
# server aborts one of them as a deadlock, and the other books the slot.
DEADLOCK_DETECTED = "40P01"


class SlotTaken(Exception):
    """PostgreSQL's exclusion constraint refused an overlapping booking."""


class AppointmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, appointment: Appointment) -> None:
        """Insert or update in a savepoint; an overlap with another booked appointment of the desk is `SlotTaken`."""
        try:
            async with self.session.begin_nested():
                self.session.add(appointment)
                await self.session.flush()
        except DBAPIError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED) or "ex_appointments" in str(exc.orig):
                raise SlotTaken from None
            raise

    async def get(self, appointment_id: uuid.UUID, *, for_update: bool = False) -> Appointment | None:
        query = select(Appointment).where(Appointment.id == appointment_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def booked_between(self, desk: str, start: datetime, end: datetime) -> Sequence[Appointment]:
        return (await self.session.scalars(select(Appointment).where(
            Appointment.desk == desk, Appointment.status == "booked", Appointment.starts_at < end,
            Appointment.ends_at > start).order_by(Appointment.starts_at))).all()

    async def list(self, *, client_id: uuid.UUID | None, since: datetime, limit: int,
                   offset: int) -> Sequence[Appointment]:
        query = select(Appointment).where(Appointment.ends_at >= since)
        if client_id is not None:
            query = query.where(Appointment.client_id == client_id)
        return (await self.session.scalars(query.order_by(Appointment.starts_at).limit(limit).offset(offset))).all()

    async def claim_reminders(self, *, lead: str, now: datetime, window_start: datetime, window_end: datetime,
                              limit: int) -> Sequence[Appointment]:
        """Booked appointments starting within (window_start, window_end] not yet reminded for `lead`, locked;
        rows another scheduler holds are skipped."""
        column = Appointment.reminded_day_at if lead == "day" else Appointment.reminded_hour_at
        return (await self.session.scalars(select(Appointment).where(
            Appointment.status == "booked", column.is_(None), Appointment.starts_at > window_start,
            Appointment.starts_at <= window_end, Appointment.starts_at > now,
        ).order_by(Appointment.starts_at).limit(limit).with_for_update(skip_locked=True))).all()

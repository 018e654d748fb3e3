"""S-7 appointments over HTTP: free slots, booking, moving and cancelling (clients their own, staff any)."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from abono.auth import CurrentPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import Forbidden, NotFound, problem_responses
from support.appointments import service
from support.appointments.repository import AppointmentRepository
from support.appointments.schemas import AppointmentCreate, AppointmentMove, AppointmentPublic, Slot
from support.runtime import RuntimeDep

router = APIRouter(prefix="/appointments", tags=["appointments"])


@router.get("/slots", summary="Free remote-support slots of a day (business hours)",
            responses=problem_responses(401, 422))
async def slots(day: date, _: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep,
                minutes: Annotated[int, Query(ge=15, le=240)] = 60) -> list[Slot]:
    """Any signed-in user. The free start times of `day` within business hours for an appointment lasting `minutes` (15
    to 240, default 60); days off have none.
    """
    return await service.free_slots(session=session, runtime=runtime, day=day, minutes=minutes)


@router.post("", status_code=201, summary="Book a remote-support appointment (plans that include it)",
             responses=problem_responses(401, 403, 409, 422))
async def book(body: AppointmentCreate, principal: CurrentPrincipal, session: SessionDep,
               runtime: RuntimeDep) -> AppointmentPublic:
    """Clients only, on a support plan that includes remote support (403 otherwise). Books a free slot, optionally about
    a ticket, and returns the appointment. 409 when the slot was just taken; 422 when it is not a free slot within
    business hours.
    """
    if principal.is_staff:
        raise Forbidden("A client books its own appointments.")
    appointment = await service.book(session=session, runtime=runtime, client_id=principal.user_id,
                                     starts_at=body.starts_at, minutes=body.minutes, topic=body.topic,
                                     ticket_id=body.ticket_id)
    return service.public(appointment, runtime)


@router.get("", summary="Upcoming appointments: a client's own, staff all (or one client's: `client_id`)",
            responses=problem_responses(401))
async def list_appointments(principal: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep,
                            client_id: uuid.UUID | None = None, limit: PageSizeQuery = 50,
                            offset: OffsetQuery = 0) -> list[AppointmentPublic]:
    """The appointments still to come: a client's own; staff everyone's, or one client's with `client_id`. Paged with
    `limit` and `offset`.
    """
    scope = client_id if principal.is_staff else principal.user_id  # a client's filter never widens its scope
    rows = await AppointmentRepository(session).list(client_id=scope, since=runtime.clock.now(), limit=limit,
                                                     offset=offset)
    return [service.public(a, runtime) for a in rows]


@router.get("/{appointment_id}", summary="One appointment", responses=problem_responses(401, 404))
async def get_appointment(appointment_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSessionDep,
                          runtime: RuntimeDep) -> AppointmentPublic:
    """One appointment, with its start and end, topic, ticket, status and until when it can be changed. A client reads
    only its own (404 for any other).
    """
    appointment = await AppointmentRepository(session).get(appointment_id)
    if appointment is None or (not principal.is_staff and appointment.client_id != principal.user_id):
        raise NotFound("No such appointment.")
    return service.public(appointment, runtime)


@router.put("/{appointment_id}", summary="Move an appointment (up to the cut-off for clients)",
            responses=problem_responses(401, 404, 409, 422))
async def move(appointment_id: uuid.UUID, body: AppointmentMove, principal: CurrentPrincipal, session: SessionDep,
               runtime: RuntimeDep) -> AppointmentPublic:
    """Moves an appointment to another start time or length. A client moves its own up to the cut-off (hours before it
    starts, see the support plan); staff any. 409 when it was cancelled, the cut-off has passed or the new slot is
    taken; 422 when the new slot is outside business hours.
    """
    appointment = await service.move(session=session, runtime=runtime, appointment_id=appointment_id,
                                     client_id=None if principal.is_staff else principal.user_id,
                                     starts_at=body.starts_at, minutes=body.minutes)
    return service.public(appointment, runtime)


@router.post("/{appointment_id}/cancel", summary="Cancel an appointment (up to the cut-off for clients)",
             responses=problem_responses(401, 404, 409))
async def cancel(appointment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                 runtime: RuntimeDep) -> AppointmentPublic:
    """Cancels an appointment, freeing its slot. A client cancels its own up to the cut-off (hours before it starts, see
    the support plan); staff any. 409 when it was cancelled already or the cut-off has passed.
    """
    appointment = await service.cancel(session=session, runtime=runtime, appointment_id=appointment_id,
                                       client_id=None if principal.is_staff else principal.user_id)
    return service.public(appointment, runtime)

"""The staff desk: assignment and status, merging a duplicate, canned replies, the calendar's overrides (S-2), and
what a client's plan gives it (S-3)."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from abono.auth import AdminPrincipal, CurrentPrincipal, StaffPrincipal
from abono.db import ReadSessionDep, SessionDep
from abono.errors import Conflict, NotFound, problem_responses
from abono.events import CalendarOverrideChanged
from abono.messaging import emit
from support.clients.repository import ServiceRepository
from support.runtime import RuntimeDep
from support.tickets import service, views
from support.tickets.models import CalendarOverride, CannedReply
from support.tickets.repository import CalendarRepository, CannedReplyRepository
from support.tickets.schemas import (
    CalendarOverrideIn,
    CalendarOverridePublic,
    CannedReplyCreate,
    CannedReplyPublic,
    SettingChangePublic,
    SupportPlanPublic,
    TicketMerge,
    TicketPublic,
    TicketUpdate,
)

router = APIRouter(tags=["staff desk"])
Day = Annotated[date, Path(description="A calendar day (YYYY-MM-DD) of the provider's calendar")]


@router.patch("/tickets/{ticket_id}", summary="Staff: assign, unassign, or set a ticket's status",
              responses=problem_responses(401, 403, 404, 409, 422))
async def update_ticket(ticket_id: uuid.UUID, body: TicketUpdate, _: StaffPrincipal, session: SessionDep,
                        runtime: RuntimeDep) -> TicketPublic:
    """Staff only. Assigns the ticket to a staff member (`assigned_to`), unassigns it (`unassign: true`) and/or sets its
    status; returns the ticket. 409 when the ticket was merged into another one.
    """
    ticket = await service.ticket_for(session, ticket_id, client_id=None, for_update=True)
    await service.update_ticket(session=session, runtime=runtime, ticket=ticket, status=body.status,
                                assigned_to=body.assigned_to, unassign=body.unassign)
    return views.public(ticket)


@router.post("/tickets/{ticket_id}/merge", summary="Staff: merge a duplicate into the ticket it repeats",
             responses=problem_responses(401, 403, 404, 409, 422))
async def merge(ticket_id: uuid.UUID, body: TicketMerge, _: StaffPrincipal, session: SessionDep,
                runtime: RuntimeDep) -> TicketPublic:
    """Staff only. The duplicate's messages move to the ticket named in `into_ticket_id`, and the duplicate is closed
    pointing there (later messages to it are refused); returns the ticket kept. 422 when both are the same ticket or
    belong to different clients; 409 when either was already merged.
    """
    # Lock both in id order, so two opposite merges cannot deadlock.
    first, second = sorted([ticket_id, body.into_ticket_id])
    locked = {t: await service.ticket_for(session, t, client_id=None, for_update=True) for t in (first, second)}
    into = locked[body.into_ticket_id]
    await service.merge(session=session, runtime=runtime, duplicate=locked[ticket_id], into=into)
    return views.public(into)


@router.get("/canned-replies", summary="Staff: the canned replies", responses=problem_responses(401, 403))
async def canned_replies(_: StaffPrincipal, session: ReadSessionDep) -> list[CannedReplyPublic]:
    """Staff only. The reusable replies (title and text) staff can start an answer from, by passing `canned_reply_id`
    when replying to a ticket.
    """
    return [CannedReplyPublic(id=r.id, title=r.title, body=r.body) for r in await CannedReplyRepository(session).all()]


@router.post("/canned-replies", status_code=201, summary="Staff: add a canned reply",
             responses=problem_responses(401, 403, 409, 422))
async def add_canned_reply(body: CannedReplyCreate, _: StaffPrincipal, session: SessionDep,
                           runtime: RuntimeDep) -> CannedReplyPublic:
    """Staff only. Adds a reusable reply and returns it with its id. Titles are unique: 409 when a canned reply with the
    same title exists.
    """
    reply = CannedReply(id=uuid.uuid4(), title=body.title, body=body.body, created_at=runtime.clock.now())
    if not await CannedReplyRepository(session).add(reply):
        raise Conflict("A canned reply with this title exists.")
    return CannedReplyPublic(id=reply.id, title=reply.title, body=reply.body)


@router.get("/calendar/overrides", summary="Staff: the days off added and the bridge days worked",
            responses=problem_responses(401, 403))
async def overrides(_: StaffPrincipal, session: ReadSessionDep) -> list[CalendarOverridePublic]:
    """Staff only. The changes to the public-holidays calendar that business-hours deadlines and appointment slots
    follow: extra days off (`day_off`) and holidays the desk works (`working_day`), each with a note.
    """
    rows = await CalendarRepository(session).all()
    return [CalendarOverridePublic(day=o.day, kind=o.kind, note=o.note) for o in rows]


def _as_dict(row: CalendarOverride | None) -> dict[str, str] | None:
    return None if row is None else {"kind": row.kind, "note": row.note}


@router.put("/calendar/overrides/{day}", summary="Admin: mark a day off, or a holiday the desk works (audited)",
            responses=problem_responses(401, 403, 422))
async def put_override(day: Day, body: CalendarOverrideIn, principal: AdminPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> CalendarOverridePublic:
    """Admins only. Sets or replaces that day's override (`day_off` or `working_day`, with a note); deadlines and free
    appointment slots follow it from then on, and so do the payment and manual-work deadlines counted in business days.
    Every change is recorded in the history, with who made it and the day's override before and after.
    """
    repo, now = CalendarRepository(session), runtime.clock.now()
    before = _as_dict(await repo.get(day))
    await repo.put(day=day, kind=body.kind, note=body.note, by=principal.user_id, at=now)
    await repo.audit(actor_id=principal.user_id, action="calendar_override_set", at=now, details={
        "day": day.isoformat(), "actor_email": principal.email, "before": before,
        "after": {"kind": body.kind, "note": body.note}})
    await emit(session, CalendarOverrideChanged(day=day, kind=body.kind, occurred_at=now))
    return CalendarOverridePublic(day=day, kind=body.kind, note=body.note)


@router.delete("/calendar/overrides/{day}", status_code=204, summary="Admin: back to the holidays calendar (audited)",
               responses=problem_responses(401, 403, 404, 422))
async def delete_override(day: Day, principal: AdminPrincipal, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Admins only. Removes that day's override so the regular holidays calendar applies again; recorded in the history.
    404 when the day has no override.
    """
    repo, now = CalendarRepository(session), runtime.clock.now()
    before = _as_dict(await repo.get(day))
    if before is None or not await repo.remove(day):
        raise NotFound("No override on that day.")
    await repo.audit(actor_id=principal.user_id, action="calendar_override_removed", at=now, details={
        "day": day.isoformat(), "actor_email": principal.email, "before": before, "after": None})
    await emit(session, CalendarOverrideChanged(day=day, kind=None, occurred_at=now))
    return Response(status_code=204)


@router.get("/calendar/overrides/history", summary="Staff: the latest changes of the calendar overrides (who, when, "
            "before, after)", responses=problem_responses(401, 403, 422))
async def override_history(_: StaffPrincipal, session: ReadSessionDep,
                           limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[SettingChangePublic]:
    """Staff only. The latest changes to the calendar overrides, newest first (`limit`, up to 200): when, by whom, what
    was done and the day's override before and after.
    """
    return [SettingChangePublic(at=e.at, actor_id=e.actor_id, action=e.action, details=e.details)
            for e in await CalendarRepository(session).history(limit=limit)]


@router.get("/support-plan", summary="My support plan and what it includes",
            responses=problem_responses(401))
async def support_plan(principal: CurrentPrincipal, session: ReadSessionDep, runtime: RuntimeDep) -> SupportPlanPublic:
    """For the signed-in client: its support plan, whether it includes remote-support appointments, the first-response
    time of each ticket class in minutes, the length of an appointment, and up to how many hours before it starts an
    appointment can still be moved or cancelled.
    """
    settings = runtime.settings
    plan = await ServiceRepository(session).plan_of(principal.user_id, settings.plan_products)
    return SupportPlanPublic(plan=plan, remote_support=plan in settings.remote_support_plans,
                             first_response_minutes={p.value: m for p, m in settings.first_response_minutes.items()},
                             appointment_minutes=settings.appointment_minutes,
                             appointment_change_cutoff_hours=settings.appointment_change_cutoff_hours)

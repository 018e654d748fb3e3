from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request

from abono.auth import AdminPrincipal
from abono.clock import AdjustableClock
from abono.testclock import ClockState
from gateway.config import GatewaySettings
from gateway.errors import problem_responses
from gateway.proxy.upstream import upstream_of
from gateway.testclock import service
from gateway.testclock.schemas import ClockAdvance, ClockMoved, ClockSet

router = APIRouter(prefix="/api/test", tags=["test mode"])
internal_router = APIRouter(prefix="/internal/test", tags=["test mode"])


def _clock(request: Request) -> AdjustableClock:
    clock: AdjustableClock = request.app.state.clock
    return clock


@router.get("/clock", summary="The platform time (admin, test mode)", responses=problem_responses(401, 403))
async def read_clock(request: Request, _: AdminPrincipal) -> ClockState:
    return await service.load(sessionmaker=request.app.state.sessionmaker, clock=_clock(request))


@router.put(
    "/clock",
    summary="Set the platform time and push it to every service (admin, test mode)",
    responses=problem_responses(401, 403, 422),
)
async def set_clock(body: ClockSet, request: Request, _: AdminPrincipal) -> ClockMoved:
    return await _move(request, body.now - datetime.now(UTC))


@router.post(
    "/clock/advance",
    summary="Move the platform time forward and push it (admin, test mode)",
    responses=problem_responses(401, 403, 422),
)
async def advance_clock(body: ClockAdvance, request: Request, _: AdminPrincipal) -> ClockMoved:
    # From the stored offset, not this replica's memory: another replica may have moved it last.
    current = await service.load(sessionmaker=request.app.state.sessionmaker, clock=_clock(request))
    delta = timedelta(days=body.days, hours=body.hours, minutes=body.minutes, seconds=body.seconds)
    return await _move(request, timedelta(microseconds=current.offset_us) + delta)


async def _move(request: Request, offset: timedelta) -> ClockMoved:
    settings: GatewaySettings = request.app.state.settings
    state = await service.save(sessionmaker=request.app.state.sessionmaker, clock=_clock(request), offset=offset)
    acks = await service.push(
        http=upstream_of(request.app),
        service_urls=settings.service_urls,
        offset_us=state.offset_us,
        authorization=request.headers.get("authorization"),
        timeout_seconds=settings.clock_push_timeout_seconds,
    )
    return ClockMoved(clock=state, services=acks)


@internal_router.get("/clock", summary="The platform time, for services starting up (test mode, no auth)")
async def internal_clock(request: Request) -> ClockState:
    return await service.load(sessionmaker=request.app.state.sessionmaker, clock=_clock(request))

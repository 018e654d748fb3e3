"""Staff console: business settings (#14 item 5). Staff read them; only admins change them (audited)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from abono.auth import AdminPrincipal, StaffPrincipal
from abono.clock import Clock
from abono.db import SessionDep
from abono.errors import problem_responses as problems
from billing.business_settings import service
from billing.business_settings.jobs import SettingsCache, cache_of
from billing.business_settings.schemas import (
    BusinessSettingsPublic,
    DiscountSettings,
    DunningSettings,
    GroupKey,
    PaymentSettings,
    SellerIdentity,
    SettingChange,
    TransferSettings,
    _Group,
)
from billing.config import BillingSettings


# Local dependencies: `billing.deps` reads the effective settings from this package, so it cannot be imported here.
def _base(request: Request) -> BillingSettings:
    settings: BillingSettings = request.app.state.settings
    return settings


def _cache(request: Request) -> SettingsCache:
    return cache_of(request.app)


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


BaseSettingsDep = Annotated[BillingSettings, Depends(_base)]  # the environment's values: the defaults
SettingsCacheDep = Annotated[SettingsCache, Depends(_cache)]
ClockDep = Annotated[Clock, Depends(_clock)]
router = APIRouter(prefix="/staff/settings", tags=["business settings"])


@router.get(
    "",
    summary="Staff: the business settings now, and whether an admin set them or they are the defaults",
    responses=problems(401, 403),
)
async def read_settings(_: StaffPrincipal, session: SessionDep, base: BaseSettingsDep) -> BusinessSettingsPublic:
    return BusinessSettingsPublic.model_validate(
        {k: v.model_dump() for k, v in (await service.states(session, base)).items()}
    )


@router.get(
    "/history",
    summary="Staff: the latest changes of the business settings (who, when, before, after)",
    responses=problems(401, 403, 422),
)
async def settings_history(
    _: StaffPrincipal, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[SettingChange]:
    return await service.history(session, limit=limit)


async def _put(
    key: str,
    value: _Group,
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> BusinessSettingsPublic:
    await service.set_group(session=session, base=base, key=key, value=value, actor=actor, now=clock.now())
    cache.invalidate()
    return await read_settings(actor, session, base)


@router.put(
    "/dunning", summary="Admin: reminder, suspension and termination days", responses=problems(401, 403, 422)
)
async def put_dunning(
    body: DunningSettings,
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> BusinessSettingsPublic:
    return await _put("dunning", body, actor, session, base, cache, clock)


@router.put("/discounts", summary="Admin: discount percentages and tiers", responses=problems(401, 403, 422))
async def put_discounts(
    body: DiscountSettings,
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> BusinessSettingsPublic:
    return await _put("discounts", body, actor, session, base, cache, clock)


@router.put(
    "/payments",
    summary="Admin: payment methods per country, refused currencies, minimums",
    responses=problems(401, 403, 422),
)
async def put_payments(
    body: PaymentSettings,
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> BusinessSettingsPublic:
    return await _put("payments", body, actor, session, base, cache, clock)


@router.put("/seller", summary="Admin: the seller's identity printed on invoices", responses=problems(401, 403, 422))
async def put_seller(
    body: SellerIdentity,
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> BusinessSettingsPublic:
    return await _put("seller", body, actor, session, base, cache, clock)


@router.put(
    "/transfers", summary="Admin: bank details per currency and country", responses=problems(401, 403, 422)
)
async def put_transfers(
    body: TransferSettings,
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> BusinessSettingsPublic:
    return await _put("transfers", body, actor, session, base, cache, clock)


@router.delete(
    "/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Admin: a group back to the environment's values (audited)",
    responses=problems(401, 403, 404, 422),
)
async def reset_settings(
    key: Annotated[GroupKey, Path()],
    actor: AdminPrincipal,
    session: SessionDep,
    base: BaseSettingsDep,
    cache: SettingsCacheDep,
    clock: ClockDep,
) -> Response:
    await service.reset_group(session=session, base=base, key=key, actor=actor, now=clock.now())
    cache.invalidate()
    return Response(status_code=status.HTTP_204_NO_CONTENT)

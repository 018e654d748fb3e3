"""Staff console: business settings (#14 item 5). Staff read them; only admins change them (audited)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import AdminPrincipal, Principal, StaffPrincipal
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
# All `async def` (FastAPI runs a plain `def` one, or a class, in its thread pool: a thread hop per request).
async def _base(request: Request) -> BillingSettings:
    settings: BillingSettings = request.app.state.settings
    return settings


async def _cache(request: Request) -> SettingsCache:
    return cache_of(request.app)


async def _clock(request: Request) -> Clock:
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
    """The business settings in force, group by group (dunning, discounts, payments, seller, transfers), each with
    its values and whether an admin set them or they are the environment's defaults. Staff and admins."""
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
    """The latest changes to the business settings, newest first: who changed which group, when, and the values
    before and after. Staff and admins; `limit` from 1 to 200 (422 outside)."""
    return await service.history(session, limit=limit)


class _Admin:
    """An admin's change to the business settings: stored (audited), then the cached settings are dropped so it
    takes effect at once."""

    def __init__(
        self, actor: Principal, session: AsyncSession, base: BillingSettings, cache: SettingsCache, clock: Clock
    ) -> None:
        self.actor, self.session, self.base, self.cache, self.clock = actor, session, base, cache, clock

    async def put(self, key: str, value: _Group) -> BusinessSettingsPublic:
        await service.set_group(
            session=self.session, base=self.base, key=key, value=value, actor=self.actor, now=self.clock.now()
        )
        self.cache.invalidate()
        return await read_settings(self.actor, self.session, self.base)

    async def reset(self, key: GroupKey) -> None:
        await service.reset_group(session=self.session, base=self.base, key=key, actor=self.actor, now=self.clock.now())
        self.cache.invalidate()


async def _admin(
    actor: AdminPrincipal, session: SessionDep, base: BaseSettingsDep, cache: SettingsCacheDep, clock: ClockDep
) -> _Admin:
    return _Admin(actor, session, base, cache, clock)


AdminDep = Annotated[_Admin, Depends(_admin)]


@router.put("/dunning", summary="Admin: reminder, suspension and termination days", responses=problems(401, 403, 422))
async def put_dunning(body: DunningSettings, admin: AdminDep) -> BusinessSettingsPublic:
    """Replaces the dunning group: the days before the due date when reminders are sent, and the days after it when
    an unpaid service is suspended and terminated. Admins only (403 for other staff); 422 for invalid values,
    nothing changed. Takes effect at once, is recorded in the history, and answers every group."""
    return await admin.put("dunning", body)


@router.put("/discounts", summary="Admin: discount percentages and tiers", responses=problems(401, 403, 422))
async def put_discounts(body: DiscountSettings, admin: AdminDep) -> BusinessSettingsPublic:
    """Replaces the discounts group: the discount percentages by billing cycle, by number of active services (tiers)
    and by payment method, the bundle and the cap, applied to new invoices. Admins only (403 for other staff);
    422 for invalid values, nothing changed. Recorded in the history; answers every group."""
    return await admin.put("discounts", body)


@router.put(
    "/payments",
    summary="Admin: payment methods per country, refused currencies, minimums",
    responses=problems(401, 403, 422),
)
async def put_payments(body: PaymentSettings, admin: AdminDep) -> BusinessSettingsPublic:
    """Replaces the payments group: which payment methods are offered per country, currencies refused and minimum
    amounts. Admins only (403 for other staff); 422 for invalid values, nothing changed. Recorded in the history;
    answers every group."""
    return await admin.put("payments", body)


@router.put("/seller", summary="Admin: the seller's identity printed on invoices", responses=problems(401, 403, 422))
async def put_seller(body: SellerIdentity, admin: AdminDep) -> BusinessSettingsPublic:
    """Replaces the seller's identity (legal name, tax id, address...) printed on invoices issued from now on.
    Admins only (403 for other staff); 422 for invalid values, nothing changed. Recorded in the history; answers
    every group."""
    return await admin.put("seller", body)


@router.put("/transfers", summary="Admin: bank details per currency and country", responses=problems(401, 403, 422))
async def put_transfers(body: TransferSettings, admin: AdminDep) -> BusinessSettingsPublic:
    """Replaces the bank details given to clients who pay by transfer, per currency and country. Admins only (403
    for other staff); 422 for invalid values, nothing changed. Recorded in the history; answers every group."""
    return await admin.put("transfers", body)


@router.delete(
    "/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Admin: a group back to the environment's values (audited)",
    responses=problems(401, 403, 404, 422),
)
async def reset_settings(key: Annotated[GroupKey, Path()], admin: AdminDep) -> Response:
    """Puts one group (`dunning`, `discounts`, `payments`, `seller` or `transfers`) back to the environment's
    defaults. Admins only (403 for other staff); 422 for an unknown group. Recorded in the history; answers 204
    with no body."""
    await admin.reset(key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

from fastapi import APIRouter

from abono.auth import StaffPrincipal
from abono.db import SessionDep
from billing.deps import ClockDep, problems
from billing.discounts import coupons
from billing.discounts.schemas import CouponCreate, CouponPublic

router = APIRouter(prefix="/staff/coupons", tags=["discounts"])


@router.post("", status_code=201, summary="Create a coupon (staff)", responses=problems(401, 403, 409, 422))
async def create_coupon(body: CouponCreate, _: StaffPrincipal, session: SessionDep, clock: ClockDep) -> CouponPublic:
    return CouponPublic.model_validate(await coupons.create_coupon(session=session, clock=clock, data=body))


@router.get("", summary="Every coupon with its uses (staff)", responses=problems(401, 403))
async def list_coupons(_: StaffPrincipal, session: SessionDep) -> list[CouponPublic]:
    return [CouponPublic.model_validate(c) for c in await coupons.list_coupons(session=session)]

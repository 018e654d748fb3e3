from fastapi import APIRouter

from abono.auth import StaffPrincipal
from abono.db import SessionDep
from billing.deps import ClockDep, problems
from billing.discounts import coupons
from billing.discounts.schemas import CouponCreate, CouponPublic

router = APIRouter(prefix="/staff/coupons", tags=["discounts"])


@router.post("", status_code=201, summary="Create a coupon (staff)", responses=problems(401, 403, 409, 422))
async def create_coupon(body: CouponCreate, _: StaffPrincipal, session: SessionDep, clock: ClockDep) -> CouponPublic:
    """Creates a discount coupon clients can enter when ordering (its code; a percentage, or a fixed amount in one
    currency; who may use it, expiry and maximum uses). Staff only. 409 when a coupon with that code exists; 422
    for invalid values."""
    return CouponPublic.model_validate(await coupons.create_coupon(session=session, clock=clock, data=body))


@router.get("", summary="Every coupon with its uses (staff)", responses=problems(401, 403))
async def list_coupons(_: StaffPrincipal, session: SessionDep) -> list[CouponPublic]:
    """Every coupon, active or not, with its discount, validity and how many times it was used. Staff only."""
    return [CouponPublic.model_validate(c) for c in await coupons.list_coupons(session=session)]

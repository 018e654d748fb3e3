from typing import Annotated

from fastapi import APIRouter, Path, Response

from abono.auth import AdminPrincipal, StaffPrincipal
from abono.db import SessionDep
from billing.deps import ClockDep, problems
from billing.discounts import coupons
from billing.discounts.schemas import CouponCreate, CouponPublic, CouponUpdate

router = APIRouter(prefix="/staff/coupons", tags=["discounts"])
CouponPath = Annotated[str, Path(min_length=1, max_length=40, description="The coupon's code, as clients type it",
                                 examples=["BIENVENIDA10"])]


@router.post("", status_code=201, summary="Create a coupon (admins)", responses=problems(401, 403, 409, 422))
async def create_coupon(body: CouponCreate, actor: AdminPrincipal, session: SessionDep, clock: ClockDep
                        ) -> CouponPublic:
    """Creates a discount coupon clients can enter when ordering (its code; a percentage, or a fixed amount in one
    currency; who may use it, expiry and maximum uses). Admins only; the change is kept in the audit log. 409 when a
    coupon with that code exists; 422 for invalid values (an expiry already past, for one): nothing is created."""
    return CouponPublic.model_validate(await coupons.create_coupon(session=session, clock=clock, actor=actor,
                                                                   data=body))


@router.get("", summary="Every coupon with its uses (staff)", responses=problems(401, 403))
async def list_coupons(_: StaffPrincipal, session: SessionDep) -> list[CouponPublic]:
    """Every coupon, active, expired or retired, with its discount, validity and how many times it was used. Staff
    and admins."""
    return [CouponPublic.model_validate(c) for c in await coupons.list_coupons(session=session)]


@router.patch("/{code}", summary="Change a coupon's terms (admins)", responses=problems(401, 403, 404, 409, 422))
async def update_coupon(body: CouponUpdate, actor: AdminPrincipal, session: SessionDep, clock: ClockDep,
                        code: CouponPath) -> CouponPublic:
    """Changes the fields sent: discount, audience, expiry, maximum uses. Orders from now on get the new terms;
    invoices already issued keep theirs. Admins only, audited. 404 for an unknown code, 409 for a retired coupon,
    422 for invalid values (a limit below the uses so far, an expiry already past): nothing changes."""
    return CouponPublic.model_validate(await coupons.update_coupon(session=session, clock=clock, actor=actor,
                                                                   code=code, data=body))


@router.post("/{code}/retire", summary="Retire a coupon: no more uses (admins)", responses=problems(401, 403, 404))
async def retire_coupon(actor: AdminPrincipal, session: SessionDep, clock: ClockDep, code: CouponPath
                        ) -> CouponPublic:
    """Stops the coupon from being accepted in new orders; it stays listed with its uses, and the invoices that
    carry it keep their discount. Admins only, audited. Retiring a retired coupon changes nothing."""
    return CouponPublic.model_validate(await coupons.retire_coupon(session=session, clock=clock, actor=actor,
                                                                   code=code))


@router.delete("/{code}", status_code=204, summary="Delete a coupon nobody used (admins)",
               responses=problems(401, 403, 404, 409))
async def delete_coupon(actor: AdminPrincipal, session: SessionDep, clock: ClockDep, code: CouponPath
                        ) -> Response:
    """Deletes a coupon that was never used (one created by mistake). A coupon that was used is never deleted:
    409, retire it instead. Admins only, audited; answers 204 with no body."""
    await coupons.delete_coupon(session=session, clock=clock, actor=actor, code=code)
    return Response(status_code=204)

"""Coupons (B-12): who may use one, until when, how many times."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, InvalidInput
from abono.money import Money
from billing.discounts.engine import CouponTerms
from billing.discounts.models import Coupon, CouponAudience
from billing.discounts.repository import CouponRepository
from billing.discounts.schemas import CouponCreate


async def create_coupon(*, session: AsyncSession, clock: Clock, data: CouponCreate) -> Coupon:
    """A new coupon (staff)."""
    coupons = CouponRepository(session)
    if await coupons.by_code(data.code) is not None:
        raise Conflict(f"A coupon {data.code!r} exists already.")
    coupon = Coupon(code=data.code, percent=data.percent, amount_minor=data.amount_minor, currency=data.currency,
                    audience=data.audience.value, expires_at=data.expires_at, max_uses=data.max_uses, uses=0,
                    created_at=clock.now())
    await coupons.add(coupon)
    return coupon


async def list_coupons(*, session: AsyncSession) -> list[Coupon]:
    """Every coupon, newest first."""
    return await CouponRepository(session).newest_first()


def check_coupon(coupon: Coupon | None, *, code: str, now: datetime, new_client: bool, currency: str) -> CouponTerms:
    """The coupon's terms if this client may use it now in this currency; `InvalidInput` says why not."""
    if coupon is None:
        raise InvalidInput(f"Unknown coupon {code!r}.")
    if coupon.expires_at is not None and coupon.expires_at <= now:
        raise InvalidInput(f"Coupon {code!r} has expired.")
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        raise InvalidInput(f"Coupon {code!r} has been used up.")
    if coupon.audience == CouponAudience.NEW and not new_client:
        raise InvalidInput(f"Coupon {code!r} is for new clients only.")
    if coupon.audience == CouponAudience.EXISTING and new_client:
        raise InvalidInput(f"Coupon {code!r} is for existing clients only.")
    if coupon.amount_minor is not None:
        if coupon.currency != currency:
            raise InvalidInput(f"Coupon {code!r} is in {coupon.currency}, the order in {currency}.")
        return CouponTerms(code=coupon.code, amount=Money(coupon.amount_minor, currency))
    return CouponTerms(code=coupon.code, percent=Decimal(coupon.percent or 0))


async def usable_coupon(*, session: AsyncSession, code: str, now: datetime, new_client: bool, currency: str
                        ) -> CouponTerms:
    """Load and check a coupon by its code."""
    coupon = await CouponRepository(session).by_code(code)
    return check_coupon(coupon, code=code, now=now, new_client=new_client, currency=currency)


async def consume_coupon(*, session: AsyncSession, code: str) -> None:
    """Count one use, atomically: two orders racing for the last use cannot both get it."""
    if not await CouponRepository(session).use_once(code):
        raise InvalidInput(f"Coupon {code!r} has been used up.")

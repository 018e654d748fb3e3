"""Coupons (B-12): who may use one, until when, how many times; admins create, change, retire and delete them
(issue 14 item 3), each change in the audit log with who, when, before and after."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal
from abono.clock import Clock
from abono.errors import Conflict, InvalidInput, NotFound
from abono.money import Money
from billing.audit.repository import AuditRepository
from billing.discounts.engine import CouponTerms
from billing.discounts.models import Coupon, CouponAudience
from billing.discounts.repository import CouponRepository
from billing.discounts.schemas import CouponCreate, CouponPublic, CouponUpdate, check_terms

AUDIT_TARGET = "coupon"


def _snapshot(coupon: Coupon) -> dict[str, Any]:
    return CouponPublic.model_validate(coupon).model_dump(mode="json", exclude={"id", "created_at"})


async def _audit(session: AsyncSession, *, actor: Principal, action: str, coupon: Coupon, at: datetime,
                 before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    await AuditRepository(session).add(
        actor_id=actor.user_id, action=action, target_type=AUDIT_TARGET, target_id=coupon.id, at=at,
        details={"code": coupon.code, "actor_email": actor.email, "before": before, "after": after})


def _check_limits(*, expires_at: datetime | None, max_uses: int | None, uses: int, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("The expiry date has already passed: choose a later one, or none.")
    if max_uses is not None and max_uses < uses:
        raise InvalidInput(f"The coupon has been used {uses} times already: the limit cannot be lower.")


async def create_coupon(*, session: AsyncSession, clock: Clock, actor: Principal, data: CouponCreate) -> Coupon:
    """A new coupon (admins), audited."""
    coupons = CouponRepository(session)
    now = clock.now()
    if await coupons.by_code(data.code) is not None:
        raise Conflict(f"A coupon {data.code!r} exists already.")
    _check_limits(expires_at=data.expires_at, max_uses=data.max_uses, uses=0, now=now)
    coupon = Coupon(code=data.code, percent=data.percent, amount_minor=data.amount_minor, currency=data.currency,
                    audience=data.audience.value, expires_at=data.expires_at, max_uses=data.max_uses, uses=0,
                    created_at=now)
    await coupons.add(coupon)
    await _audit(session, actor=actor, action="coupon_created", coupon=coupon, at=now, before=None,
                 after=_snapshot(coupon))
    return coupon


async def _existing(coupons: CouponRepository, code: str) -> Coupon:
    coupon = await coupons.by_code(code, for_update=True)
    if coupon is None:
        raise NotFound(f"No coupon {code!r}.")
    return coupon


async def update_coupon(*, session: AsyncSession, clock: Clock, actor: Principal, code: str, data: CouponUpdate
                        ) -> Coupon:
    """Change a coupon's terms (only the fields sent); invoices already issued keep the discount they got."""
    coupon = await _existing(CouponRepository(session), code)
    if coupon.retired_at is not None:
        raise Conflict(f"Coupon {code!r} is retired: create a new one instead.")
    now = clock.now()
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if not (k == "audience" and v is None)}
    merged = {name: changes.get(name, getattr(coupon, name))
              for name in ("percent", "amount_minor", "currency", "expires_at", "max_uses")}
    try:
        check_terms(merged["percent"], merged["amount_minor"], merged["currency"])
    except ValueError as error:
        raise InvalidInput(f"{str(error).capitalize()}.") from None
    if "expires_at" in changes or "max_uses" in changes:
        _check_limits(expires_at=merged["expires_at"] if "expires_at" in changes else None,
                      max_uses=merged["max_uses"], uses=coupon.uses, now=now)
    before = _snapshot(coupon)
    for name, value in changes.items():
        setattr(coupon, name, value.value if isinstance(value, CouponAudience) else value)
    await session.flush()
    await _audit(session, actor=actor, action="coupon_updated", coupon=coupon, at=now, before=before,
                 after=_snapshot(coupon))
    return coupon


async def retire_coupon(*, session: AsyncSession, clock: Clock, actor: Principal, code: str) -> Coupon:
    """Stop a coupon from being used from now on; kept with its uses. Retiring a retired coupon changes nothing."""
    coupon = await _existing(CouponRepository(session), code)
    if coupon.retired_at is None:
        before, coupon.retired_at = _snapshot(coupon), clock.now()
        await session.flush()
        await _audit(session, actor=actor, action="coupon_retired", coupon=coupon, at=coupon.retired_at,
                     before=before, after=_snapshot(coupon))
    return coupon


async def delete_coupon(*, session: AsyncSession, clock: Clock, actor: Principal, code: str) -> None:
    """Delete a coupon nobody used (a mistake); one that was used is only ever retired (409)."""
    coupons = CouponRepository(session)
    coupon = await _existing(coupons, code)
    if coupon.uses > 0:
        raise Conflict(f"Coupon {code!r} has been used: retire it instead, so the invoices that name it still do.")
    await _audit(session, actor=actor, action="coupon_deleted", coupon=coupon, at=clock.now(),
                 before=_snapshot(coupon), after=None)
    await coupons.remove(coupon)


async def list_coupons(*, session: AsyncSession) -> list[Coupon]:
    """Every coupon, newest first."""
    return await CouponRepository(session).newest_first()


def check_coupon(coupon: Coupon | None, *, code: str, now: datetime, new_client: bool, currency: str) -> CouponTerms:
    """The coupon's terms if this client may use it now in this currency; `InvalidInput` says why not."""
    if coupon is None:
        raise InvalidInput(f"Unknown coupon {code!r}.")
    if coupon.retired_at is not None:
        raise InvalidInput(f"Coupon {code!r} is no longer valid.")
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

"""F-2 percentages: what staff set (per kind, or `default`) wins over the settings (`AFFILIATE_COMMISSION_PERCENT*`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import NotFound
from affiliate import audit
from affiliate.config import AffiliateSettings
from affiliate.rates.models import DEFAULT_KIND
from affiliate.rates.repository import RateRepository


def resolver(settings: AffiliateSettings, staff: dict[str, Decimal]) -> Callable[[str | None], Decimal]:
    """The percentage of a kind: staff's for that kind, else the setting's for it, else staff's default, else the
    setting's default."""
    def percent_for(kind: str | None) -> Decimal:
        if kind is not None and kind in staff:
            return staff[kind]
        if kind is not None and kind in settings.commission_percent_by_kind:
            return settings.commission_percent_by_kind[kind]
        return staff.get(DEFAULT_KIND, settings.commission_percent)

    return percent_for


async def percent_for(session: AsyncSession, settings: AffiliateSettings) -> Callable[[str | None], Decimal]:
    return resolver(settings, await RateRepository(session).all())


async def effective(session: AsyncSession, settings: AffiliateSettings) -> dict[str, tuple[Decimal, str]]:
    """Every kind with a rate of its own, and `default`: (percent, "staff" | "setting")."""
    staff = await RateRepository(session).all()
    rates = {kind: (pct, "setting") for kind, pct in settings.commission_percent_by_kind.items()}
    rates[DEFAULT_KIND] = (settings.commission_percent, "setting")
    rates.update({kind: (pct, "staff") for kind, pct in staff.items()})
    return dict(sorted(rates.items()))


async def set_rate(*, session: AsyncSession, kind: str, percent: Decimal, staff_id: uuid.UUID, now: datetime) -> None:
    repo = RateRepository(session)
    before = (await repo.all()).get(kind)
    await repo.put(kind, percent, by=staff_id, at=now)
    await audit.record(session, actor_id=staff_id, action="commission_rate_set", at=now, product_kind=kind,
                       percent=str(percent), before=None if before is None else str(before))


async def clear_rate(*, session: AsyncSession, kind: str, staff_id: uuid.UUID, now: datetime) -> None:
    repo = RateRepository(session)
    before = (await repo.all()).get(kind)
    if not await repo.remove(kind):
        raise NotFound(f"Staff set no rate for {kind!r}.")
    await audit.record(session, actor_id=staff_id, action="commission_rate_cleared", at=now, product_kind=kind,
                       before=str(before))

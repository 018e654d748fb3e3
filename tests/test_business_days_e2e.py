"""B-5 and P-3 follow the operator's calendar (#14 items 3 and 5): a day off an admin adds in support's console (its
holiday overrides) reaches billing and provisioning through `CalendarOverrideChanged`, and the deadlines they count
in business days skip it; removing it brings the public calendar back."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import httpx

from abono.business_days import BusinessDays, load_business_days
from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.config import BillingSettings
from billing.dunning.service import Calendar

if TYPE_CHECKING:
    from conftest import Platform

SERVICES = ("billing", "provisioning")
DUE = date(2031, 4, 1)  # far from every other test's dates: the support calendar is shared by the whole session


async def _business_days(platform: Platform, service: str) -> BusinessDays:
    engine = make_engine(platform.database_urls[service], pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            return await load_business_days(session, "AR")
    finally:
        await engine.dispose()


async def test_b5_and_p3_deadlines_skip_a_day_off_the_operator_added_in_support(
    gateway: httpx.AsyncClient, platform: Platform, admin_headers: dict[str, str]
) -> None:
    settings, public = BillingSettings(), BusinessDays(country="AR")
    b5_public = public.add(DUE, settings.suspend_all_after_business_days)
    closed = public.add(DUE, 2)  # a business day inside the B-5 window
    url = f"/api/support/calendar/overrides/{closed.isoformat()}"
    put = await gateway.put(url, headers=admin_headers, json={"kind": "day_off", "note": "Puente"})
    assert put.status_code == 200, put.text
    try:
        async def both_closed() -> bool:
            return all([closed in (await _business_days(platform, s)).days_off for s in SERVICES])

        await wait_for(both_closed, what="billing and provisioning to learn of the day off")
        billing_days = await _business_days(platform, "billing")
        assert Calendar(settings, billing_days).b5(DUE) == public.add(b5_public, 1)  # one business day later
        provisioning_days = await _business_days(platform, "provisioning")
        assert provisioning_days.add(DUE, 3) == public.add(DUE, 4)  # a P-3 deadline moves the same way
    finally:
        removed = await gateway.delete(url, headers=admin_headers)
    assert removed.status_code == 204, removed.text

    async def both_public() -> bool:
        return all([closed not in (await _business_days(platform, s)).days_off for s in SERVICES])

    await wait_for(both_public, what="billing and provisioning to learn the day off was removed")
    assert Calendar(settings, await _business_days(platform, "billing")).b5(DUE) == b5_public

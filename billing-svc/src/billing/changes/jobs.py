"""The changes' jobs (B-14, B-15): they open and commit their own transactions, one per service."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.events import TerminationDecided
from abono.messaging import emit
from billing.changes.cancellation import B15, end_service, ends_by
from billing.changes.common import today_of
from billing.changes.repository import UpgradeRepository
from billing.changes.upgrades import withdraw_upgrade
from billing.config import BillingSettings
from billing.subscriptions.repository import SubscriptionRepository


async def end_services(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                       settings: BillingSettings) -> int:
    """B-15: services cancelled for the end of their period, or not renewing, end on their date, each once."""
    today = today_of(clock, settings)
    async with unit_of_work(sessionmaker) as session:
        ids = await SubscriptionRepository(session).ending(today)
    ended = 0
    for service_id in ids:
        async with unit_of_work(sessionmaker) as session:
            sub = await SubscriptionRepository(session).get(service_id, for_update=True, skip_locked=True)
            if sub is None or not ends_by(sub, today):
                continue  # another replica has it, or it changed meanwhile
            # B-15: the service ended on its date; an upgrade left unpaid goes with it.
            await withdraw_upgrade(session=session, clock=clock, service_id=sub.id, reason="El servicio terminó.")
            end_service(sub, clock, sub.ends_on or sub.next_due_on)
            await session.flush()
            await emit(session, TerminationDecided(client_id=sub.client_id, service_ids=[sub.id], rule=B15,
                                                   occurred_at=clock.now()))
            ended += 1
    return ended


async def expire_upgrades(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                          settings: BillingSettings) -> int:
    """Cancel upgrades whose invoice stayed unpaid `upgrade_invoice_valid_days` past its due date."""
    limit = today_of(clock, settings) - timedelta(days=settings.upgrade_invoice_valid_days)
    async with unit_of_work(sessionmaker) as session:
        ids = await UpgradeRepository(session).expired(limit)
    for service_id in ids:
        async with unit_of_work(sessionmaker) as session:
            await withdraw_upgrade(session=session, clock=clock, service_id=service_id,
                                   reason="La mejora no se pagó a tiempo.")  # B-14
    return len(ids)

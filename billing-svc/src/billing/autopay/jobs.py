"""B-21: the auto-pay run (a job: it opens and commits its own transactions); see `billing.autopay.charging`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from billing.autopay.charging import plan_one, send_charge
from billing.autopay.repository import ChargeRepository
from billing.config import BillingSettings
from billing.cycles import local_date
from billing.jobs import each_in_own_transaction
from billing.payments.provider import PaymentProvider


async def run_autopay(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: Mapping[str, PaymentProvider],
    limit: int = 500,
) -> int:
    """Plan the attempts whose day has come and send the pending ones; returns how many were paid now."""
    today = local_date(clock.now(), settings.calendar_timezone)
    await plan_charges(sessionmaker=sessionmaker, clock=clock, settings=settings, providers=providers, today=today)
    async with unit_of_work(sessionmaker) as session:
        pending = await ChargeRepository(session).pending_ids(today=today, limit=limit)

    async def send(session: AsyncSession, charge_id: uuid.UUID) -> bool:
        return await send_charge(session, charge_id, clock=clock, settings=settings, providers=providers)

    return await each_in_own_transaction(sessionmaker, pending, send)


async def plan_charges(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: Mapping[str, PaymentProvider],
    today: date,
) -> int:
    """Store the attempt due today of every candidate invoice (each in a transaction of its own); returns how many
    were stored by this run."""
    longest = max(settings.autopay_retry_days, default=0)
    async with unit_of_work(sessionmaker) as session:
        found = await ChargeRepository(session).candidates(
            first_due_on=today + timedelta(days=settings.autopay_days_before - longest),
            last_due_on=today + timedelta(days=settings.autopay_days_before),
        )

    async def plan(session: AsyncSession, candidate: tuple[uuid.UUID, uuid.UUID]) -> bool:
        invoice_id, method_id = candidate
        return await plan_one(
            session, invoice_id, method_id, today=today, clock=clock, settings=settings, providers=providers
        )

    return await each_in_own_transaction(sessionmaker, found, plan)

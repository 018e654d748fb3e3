"""Dunning (B-3..B-6) on each unpaid invoice, every step recorded once so its event is emitted once:
reminders before the due date, suspension of the invoice's services (B-4), of all the client's services after
business days (B-5), termination and cancellation (B-6)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.events import InvoiceReminder, SuspensionDecided, TerminationDecided
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.changes.reissue import cancel_invoice
from billing.config import BillingSettings
from billing.cycles import add_business_days, local_date
from billing.invoices.models import Invoice, InvoiceKind, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.subscriptions.models import Subscription, SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository

ACTIVE = SubscriptionStatus.ACTIVE.value
ENDED = (SubscriptionStatus.TERMINATED.value, SubscriptionStatus.CANCELLED.value)


async def _invoice_services(session: AsyncSession, invoice: Invoice) -> list[Subscription]:
    ids = [sid for line in await InvoiceRepository(session).lines(invoice.id) for sid in line.service_ids]
    return await SubscriptionRepository(session).many(ids, for_update=True) if ids else []


async def _remind(session: AsyncSession, invoice: Invoice, *, today: date, settings: BillingSettings,
                  clock: Clock) -> None:
    """B-3: of the reminders whose day has come, only the latest is sent (a late run never sends a stale one)."""
    if today >= invoice.due_on:
        return
    reached = sorted(d for d in settings.reminder_days_before if invoice.due_on - timedelta(days=d) <= today)
    repo = InvoiceRepository(session)
    for index, days in enumerate(reached):
        if await repo.record_step(invoice.id, f"reminder-{days}", clock.now()) and index == 0:
            await emit(session, InvoiceReminder(
                invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number, occurred_at=clock.now(),
                total=MoneyModel.of(Money(invoice.total_minor, invoice.currency)), due_on=invoice.due_on,
                days_before=days))


async def _suspend(session: AsyncSession, invoice: Invoice, services: list[Subscription], *, rule: str,
                   clock: Clock) -> None:
    chosen = [s for s in services if s.status == ACTIVE]
    for sub in chosen:
        sub.status, sub.updated_at = SubscriptionStatus.SUSPENDED.value, clock.now()
    await session.flush()
    if chosen:
        await emit(session, SuspensionDecided(client_id=invoice.client_id, service_ids=[s.id for s in chosen],
                                              invoice_id=invoice.id, rule=rule, occurred_at=clock.now()))


async def _terminate(session: AsyncSession, invoice: Invoice, *, clock: Clock) -> None:
    """B-6: the invoice is cancelled (the credit it used comes back, B-10) and its services terminated."""
    now = clock.now()
    services = [s for s in await _invoice_services(session, invoice) if s.status not in ENDED]
    for sub in services:
        sub.status, sub.updated_at = SubscriptionStatus.TERMINATED.value, now
    await cancel_invoice(session=session, clock=clock, invoice=invoice,
                         reason="B-6: unpaid after the termination deadline")
    if services:
        await emit(session, TerminationDecided(client_id=invoice.client_id, service_ids=[s.id for s in services],
                                               invoice_id=invoice.id, rule="B-6", occurred_at=now))


async def _dun(session: AsyncSession, invoice_id: uuid.UUID, *, today: date, settings: BillingSettings,
               clock: Clock) -> None:
    invoice = await session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update(skip_locked=True))
    if invoice is None or invoice.status != InvoiceStatus.UNPAID:
        return  # paid meanwhile, or another replica holds it
    await _remind(session, invoice, today=today, settings=settings, clock=clock)
    repo, due = InvoiceRepository(session), invoice.due_on
    if today >= due + timedelta(days=settings.suspend_after_days) and await repo.record_step(
            invoice.id, "B-4", clock.now()):
        await _suspend(session, invoice, await _invoice_services(session, invoice), rule="B-4", clock=clock)
    b5_day = add_business_days(due, settings.suspend_all_after_business_days, settings.holiday_country)
    if today >= b5_day and await repo.record_step(invoice.id, "B-5", clock.now()):
        everything = await SubscriptionRepository(session).for_client(invoice.client_id, statuses=[ACTIVE])
        await _suspend(session, invoice, everything, rule="B-5", clock=clock)
    if today >= due + timedelta(days=settings.terminate_after_days) and await repo.record_step(
            invoice.id, "B-6", clock.now()):
        await _terminate(session, invoice, clock=clock)


async def run_dunning(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                      settings: BillingSettings) -> int:
    """Every unpaid invoice whose reminders or deadlines may have come; returns how many were looked at."""
    today = local_date(clock.now(), settings.calendar_timezone)
    horizon = today + timedelta(days=max(settings.reminder_days_before, default=0))
    async with unit_of_work(sessionmaker) as session:
        ids = list(await session.scalars(select(Invoice.id).where(  # an unpaid upgrade only expires (B-14)
            Invoice.status == InvoiceStatus.UNPAID, Invoice.kind != InvoiceKind.UPGRADE, Invoice.due_on <= horizon,
        ).order_by(Invoice.due_on)))
    for invoice_id in ids:
        async with unit_of_work(sessionmaker) as session:
            await _dun(session, invoice_id, today=today, settings=settings, clock=clock)
    return len(ids)

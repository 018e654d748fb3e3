"""Dunning (B-3..B-6) on each unpaid invoice, every step recorded once so its event is emitted once (these only
flush; `billing.dunning.jobs.run_dunning` runs them, a transaction each):
reminders before the due date, suspension of the invoice's services (B-4), of all the client's services after
business days (B-5), termination and cancellation (B-6).

The common steps are swept set-based, by chunks of invoices in one transaction each (`sweep_chunk`): 100k overdue
services are decided in seconds, not in 100k transactions. Invoices past their B-6 day (few: B-6 cancels them)
are dunned one by one (`dun_one`), first, as they are the oldest: the same order as dunning each in turn.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.business_days import BusinessDays
from abono.clock import Clock
from abono.events import InvoiceReminder, SuspensionDecided, TerminationDecided
from abono.events.base import Event
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.config import BillingSettings
from billing.dunning.repository import ActiveService, DunningQueries
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.service import cancel_invoice
from billing.subscriptions.models import Subscription, SubscriptionStatus
from billing.subscriptions.repository import SubscriptionRepository

log = structlog.get_logger("billing.dunning")

ACTIVE = SubscriptionStatus.ACTIVE.value
ENDED = (SubscriptionStatus.TERMINATED.value, SubscriptionStatus.CANCELLED.value)
# Invoices per sweep transaction: large enough that the per-transaction cost vanishes, small enough that locks are
# held briefly and a payment waits at most one chunk for its client's services.
SWEEP_CHUNK = 2000


async def _invoice_services(session: AsyncSession, invoice: Invoice) -> list[Subscription]:
    ids = [sid for line in await InvoiceRepository(session).lines(invoice.id) for sid in line.service_ids]
    return await SubscriptionRepository(session).many(ids, for_update=True) if ids else []


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
                         reason="No se pagó antes de la fecha de baja del servicio.")  # B-6
    if services:
        await emit(session, TerminationDecided(client_id=invoice.client_id, service_ids=[s.id for s in services],
                                               invoice_id=invoice.id, rule="B-6", occurred_at=now))


async def dun_one(session: AsyncSession, invoice_id: uuid.UUID, *, today: date, calendar: Calendar,
                  clock: Clock) -> None:
    """B-4, B-5 (if a run missed them) and B-6 for an invoice past its B-6 day (no reminder is due any more)."""
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True, skip_locked=True)
    if invoice is None or invoice.status != InvoiceStatus.UNPAID:
        return  # paid meanwhile, or another replica holds it
    repo, due = InvoiceRepository(session), invoice.due_on
    if today >= calendar.b4(due) and await repo.record_step(invoice.id, "B-4", clock.now()):
        await _suspend(session, invoice, await _invoice_services(session, invoice), rule="B-4", clock=clock)
    if today >= calendar.b5(due) and await repo.record_step(invoice.id, "B-5", clock.now()):
        everything = await SubscriptionRepository(session).for_client(invoice.client_id, statuses=[ACTIVE])
        await _suspend(session, invoice, everything, rule="B-5", clock=clock)
    if today >= calendar.b6(due) and await repo.record_step(
            invoice.id, "B-6", clock.now()):
        await _terminate(session, invoice, clock=clock)


class Calendar:
    """The B-4, B-5 and B-6 days of a due date (B-5 counts business days, the operator's holiday overrides
    included: computed once per due date)."""

    def __init__(self, settings: BillingSettings, days: BusinessDays | None = None) -> None:
        self.settings = settings
        self.days = days or BusinessDays(country=settings.holiday_country)
        self._b5: dict[date, date] = {}

    def b4(self, due: date) -> date:
        return due + timedelta(days=self.settings.suspend_after_days)

    def b5(self, due: date) -> date:
        if due not in self._b5:
            self._b5[due] = self.days.add(due, self.settings.suspend_all_after_business_days)
        return self._b5[due]

    def b6(self, due: date) -> date:
        return due + timedelta(days=self.settings.terminate_after_days)

    def steps_due(self, due: date, today: date) -> list[str]:
        """The steps whose day has come for an invoice due on `due` (before its B-6 day): the reminders (B-3), the
        latest first (only it is sent: a late run never sends a stale one), or B-4 and B-5."""
        if today < due:
            reached = sorted(d for d in self.settings.reminder_days_before if due - timedelta(days=d) <= today)
            return [f"reminder-{days}" for days in reached]
        return [rule for rule, day in (("B-4", self.b4(due)), ("B-5", self.b5(due))) if today >= day]


async def sweep_chunk(session: AsyncSession, *, ids: Sequence[uuid.UUID], today: date, calendar: Calendar,
                      clock: Clock) -> None:
    """B-3, B-4 and B-5 for a chunk of invoices (none past its B-6 day) in one transaction, with the results of
    dunning them one by one in due-date order: each step claimed once, a reminder only for the latest reached, one
    `SuspensionDecided` per (invoice, rule) listing the services it suspended, which were active until then."""
    queries, now = DunningQueries(session), clock.now()
    invoices = await queries.lock_unpaid(ids)
    claimed = await queries.claim_steps(
        [(i.id, step) for i in invoices for step in calendar.steps_due(i.due_on, today)], now)
    if not claimed:
        return
    billed = await queries.invoice_services([i.id for i in invoices if (i.id, "B-4") in claimed])
    # Every service B-4 or B-5 takes below, and only those: suspended (if still active) in one statement.
    active = {s.id: s for s in await queries.suspend_active(
        {sid for sids in billed.values() for sid in sids},
        {i.client_id for i in invoices if (i.id, "B-5") in claimed}, now)}
    of_client: dict[uuid.UUID, list[ActiveService]] = {}
    for service in sorted(active.values(), key=lambda s: (s.created_at, s.id)):  # the order the events list them
        of_client.setdefault(service.client_id, []).append(service)
    events: list[Event] = []
    for invoice in invoices:
        steps = calendar.steps_due(invoice.due_on, today)
        if steps and steps[0].startswith("reminder-") and (invoice.id, steps[0]) in claimed:
            events.append(InvoiceReminder(
                invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number, occurred_at=now,
                total=MoneyModel.of(Money(invoice.total_minor, invoice.currency)), due_on=invoice.due_on,
                days_before=int(steps[0].removeprefix("reminder-"))))
        for rule in ("B-4", "B-5"):
            if (invoice.id, rule) not in claimed:
                continue
            if rule == "B-4":  # the invoice's own services (whoever owns them now)
                candidates = sorted((active[sid] for sid in set(billed.get(invoice.id, ())) if sid in active),
                                    key=lambda s: (s.created_at, s.id))
            else:  # B-5: the debtor is the client, not the service
                candidates = [s for s in of_client.get(invoice.client_id, ()) if s.id in active]
            for service in candidates:
                del active[service.id]
            if candidates:
                events.append(SuspensionDecided(client_id=invoice.client_id, service_ids=[s.id for s in candidates],
                                                invoice_id=invoice.id, rule=rule, occurred_at=now))
    await emit(session, *events)

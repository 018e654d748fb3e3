"""Payments' jobs (B-15, B-17, B-19): processing stored webhook events and sweeping those left over, asking providers
about open payment attempts and pay-many batches (reconciliation), sending requested refunds. Each opens and commits
its own transactions; the payments worker runs them on a loop in every replica (work claimed with SKIP LOCKED,
effects keyed).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.metrics import count_after_commit
from abono.money import Money
from billing.config import BillingSettings
from billing.invoices.models import InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.metrics import WEBHOOKS_PROCESSED
from billing.payments import webhooks
from billing.payments.applying import apply_provider_payment
from billing.payments.batch_repository import BatchRepository
from billing.payments.models import AttemptStatus
from billing.payments.provider import CheckoutInvoice, EventEffect, PaymentProvider, ProviderError, VerifiedEvent
from billing.payments.repository import AttemptRepository, ProviderEventRepository, RefundRepository
from billing.payments.webhook_lane import WebhookLane
from billing.payments.webhooks import handle_event

log = structlog.get_logger("billing.payments")
MAX_BACKOFF = timedelta(hours=1)


class _ProcessedMeanwhile(Exception):
    """Another worker's processing of the event committed first: this one's effects are rolled back."""


async def process_event(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                        providers: dict[str, PaymentProvider], provider: str, external_id: str,
                        received: VerifiedEvent | None = None, ahead: EventEffect | None = None) -> str | None:
    """Process one stored event if it is not done; its effects and "done" commit together, in one transaction. A
    failure rolls all of it back; the attempt is then counted in a transaction of its own and the row left to the
    sweep (with back-off). Issue 20: no savepoint around the effects (two round trips on every webhook for the rare
    failure); `ahead`: what the provider said `received` (the event as stored: by its request, or read by the sweep)
    means, read before the transaction (`webhooks.read_ahead`: the F-1 card read is not made holding a connection).

    With `ahead`, the done mark is the claim (one round trip less a webhook): it sets the row only if it is still
    unprocessed, so of two workers on one event (the lane and a sweep, rare) the second to get there rolls its
    effects back; the payment's invoice lock and keys (B-19) already serialise them. Without it (a redelivery, a
    read that failed), the event is claimed first (`FOR UPDATE SKIP LOCKED`: not if someone is processing it)."""
    started = False
    try:
        async with unit_of_work(sessionmaker) as session:
            events = ProviderEventRepository(session)
            effect: EventEffect | None = ahead
            if ahead is not None and received is not None:
                event = received
            else:
                claimed = await events.claim_unprocessed(provider, external_id)
                if claimed is None:
                    return None  # done already, or being processed right now
                same = received is not None and claimed.body == received.body  # what was read ahead is this
                event, effect = claimed, ahead if same else None  # else asked again inside
            started = True
            outcome = await handle_event(session=session, clock=clock, settings=settings, providers=providers,
                                         event=event, effect=effect)
            if not await events.mark_processed(provider, external_id, at=clock.now(), outcome=outcome):
                raise _ProcessedMeanwhile
            count_after_commit(session, WEBHOOKS_PROCESSED, provider=provider, outcome=outcome)
    except _ProcessedMeanwhile:
        return None
    except Exception as exc:  # any failure is retried by the sweep, never lost
        if not started:
            raise  # not even claimed: nothing to count
        await _count_failure(sessionmaker=sessionmaker, clock=clock, settings=settings, provider=provider,
                             external_id=external_id, exc=exc)
        return "failed"
    log.info("webhook_processed", provider=provider, external_id=external_id, outcome=outcome)
    return outcome


async def _count_failure(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                         provider: str, external_id: str, exc: Exception) -> None:
    """The failed attempt counted and the next one due after a back-off, unless someone processed the event
    meanwhile (a redelivery may have got it). Waits for whoever holds the event now."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    async with unit_of_work(sessionmaker) as session:
        events = ProviderEventRepository(session)
        before = await events.unprocessed_attempts(provider, external_id)
        if before is None:
            return
        attempts = before + 1
        delay = min(timedelta(seconds=settings.webhook_retry_seconds * 2 ** min(attempts, 10)), MAX_BACKOFF)
        await events.mark_failed(provider, external_id, error=error, retry_at=clock.now() + delay)
        count_after_commit(session, WEBHOOKS_PROCESSED, provider=provider, outcome="failed")
    log.warning("webhook_processing_failed", provider=provider, external_id=external_id, attempts=attempts,
                error=error)


async def process_in_turn(*, lane: WebhookLane, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                          settings: BillingSettings, providers: dict[str, PaymentProvider], event: VerifiedEvent,
                          read_ahead: bool) -> str | None:
    """Issue 20: an event through the lane's two stages: its provider read in its turn (`read_ahead`: a new event,
    or one the sweep takes; no transaction), then its processing in its turn (`BILLING_WEBHOOK_CONCURRENCY`
    transactions at once). A redelivery is only processed (a no-op unless the first delivery's processing was
    lost), its provider asked inside as before."""
    ahead = None
    if read_ahead:
        async with lane.reading.turn():
            ahead = await webhooks.read_ahead(providers, event)
    async with lane.processing.turn():
        return await process_event(sessionmaker=sessionmaker, clock=clock, settings=settings, providers=providers,
                                   provider=event.provider, external_id=event.external_id, received=event,
                                   ahead=ahead)


async def sweep(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                providers: dict[str, PaymentProvider], limit: int = 100, lane: WebhookLane | None = None) -> int:
    """Process stored events whose turn has come (never processed in their request, or failed before): through the
    app's `lane` when given (after a restart's backlog: as many at once as it lets, in their turn beside the new
    ones), else one at a time."""
    async with unit_of_work(sessionmaker) as session:
        due = await ProviderEventRepository(session).due(clock.now(), limit)
    if lane is None:
        outcomes = [await process_event(sessionmaker=sessionmaker, clock=clock, settings=settings, providers=providers,
                                        provider=event.provider, external_id=event.external_id) for event in due]
    else:
        outcomes = await asyncio.gather(*(process_in_turn(
            lane=lane, sessionmaker=sessionmaker, clock=clock, settings=settings, providers=providers, event=event,
            read_ahead=True) for event in due))
    return sum(outcome not in (None, "failed") for outcome in outcomes)


async def hand_back(*, lane: WebhookLane, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                    grace: float) -> int:
    """At a stop (issue 20): the lane's webhooks get `grace` seconds to finish; those it had to cut short are due
    for the sweep now, not after `BILLING_WEBHOOK_RETRY_SECONDS` (another replica takes them at its next pass, this
    one at its first after the restart); how many were handed back."""
    left = await lane.drain(grace)
    if not left:
        return 0
    async with unit_of_work(sessionmaker) as session:
        made_due = await ProviderEventRepository(session).make_due(left, clock.now())
    log.info("webhooks_handed_back", count=len(left), made_due=made_due)
    return len(left)


@dataclass(frozen=True, slots=True)
class _Question:
    """An open checkout to ask its provider about: a payment attempt of one invoice, or a batch of several."""

    id: uuid.UUID
    batch: bool
    provider: str
    ref: str
    invoice: CheckoutInvoice  # what the provider was told it charges for (a batch stands for an invoice)
    settled: bool  # every invoice it was for is paid or cancelled otherwise: stop asking if it brought nothing


async def _claim(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                 limit: int) -> list[_Question]:
    """Attempts and batches due for a question, marked asked (SKIP LOCKED: replicas share the work)."""
    now = clock.now()
    created_since = now - timedelta(days=settings.reconciliation_max_age_days)
    checked_before = now - timedelta(seconds=settings.reconciliation_interval_seconds)
    claimed = []
    async with unit_of_work(sessionmaker) as session:
        attempts = await AttemptRepository(session).due_for_question(
            created_since=created_since, checked_before=checked_before, limit=limit)
        # Their invoices in one statement (issue 20): the attempts are locked until the commit, and a webhook paying
        # one of them waits for that lock (B-7). One read per attempt held up to `limit` webhooks a whole pass.
        invoices = await InvoiceRepository(session).by_ids([attempt.invoice_id for attempt in attempts])
        for attempt in attempts:
            attempt.checked_at = now
            invoice = invoices.get(attempt.invoice_id)
            assert invoice is not None and attempt.provider_ref is not None
            claimed.append(_Question(id=attempt.id, batch=False, provider=attempt.provider, ref=attempt.provider_ref,
                                     invoice=CheckoutInvoice(invoice_id=invoice.id, number=invoice.number,
                                                             payment_reference=invoice.payment_reference,
                                                             amount=Money(attempt.amount_minor, attempt.currency)),
                                     settled=invoice.status != InvoiceStatus.UNPAID))
        batches = BatchRepository(session)
        for batch in await batches.due_for_question(  # a pay-many checkout whose notification never came
                created_since=created_since, checked_before=checked_before, limit=limit):
            batch.checked_at = now
            assert batch.provider_ref is not None
            claimed.append(_Question(id=batch.id, batch=True, provider=batch.provider, ref=batch.provider_ref,
                                     invoice=CheckoutInvoice(invoice_id=batch.id, number=batch.reference,
                                                             payment_reference=batch.reference,
                                                             amount=Money(batch.amount_minor, batch.currency)),
                                     settled=await batches.all_settled(batch.id)))
    return claimed


async def reconcile_once(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                         providers: dict[str, PaymentProvider], limit: int = 100) -> int:
    """One pass over open attempts and batches; returns how many payments were newly applied."""
    applied = 0
    for question in await _claim(sessionmaker=sessionmaker, clock=clock, settings=settings, limit=limit):
        provider = providers.get(question.provider)
        if provider is None:
            continue
        try:
            payments = await provider.payments_for(checkout_ref=question.ref, invoice=question.invoice)
        except ProviderError as exc:
            log.warning("reconciliation_failed", provider=question.provider, checkout_id=str(question.id),
                        batch=question.batch, error=str(exc))
            continue
        for payment in payments:
            async with unit_of_work(sessionmaker) as session:
                outcome = await apply_provider_payment(session=session, clock=clock, settings=settings,
                                                       payment=payment)
            if outcome == "applied":
                applied += 1
                log.info("reconciliation_applied", provider=question.provider, payment_id=payment.payment_id,
                         batch=question.batch)
        if not payments and question.settled:
            async with unit_of_work(sessionmaker) as session:  # paid otherwise or cancelled: stop asking
                row = await (BatchRepository(session).get(question.id) if question.batch
                             else AttemptRepository(session).get(question.id))
                if row is not None and row.status == AttemptStatus.OPEN:
                    row.status = AttemptStatus.CLOSED.value
    return applied


async def send_refunds(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                       providers: dict[str, PaymentProvider], limit: int = 50) -> int:
    """Send requested refunds to their providers with their stored keys; returns how many were done."""
    done = 0
    async with unit_of_work(sessionmaker) as session:
        ids = await RefundRepository(session).requested_ids(limit)
    for refund_id in ids:
        async with unit_of_work(sessionmaker) as session:
            refund = await RefundRepository(session).claim_requested(refund_id)
            provider = providers.get(refund.provider) if refund is not None else None
            if refund is None or provider is None:
                continue
            try:
                refund.provider_refund_id = await provider.refund(
                    payment_id=refund.provider_payment_id, amount=Money(refund.amount_minor, refund.currency),
                    idempotency_key=refund.idempotency_key)
            except ProviderError as exc:  # stays "requested": retried with the same key
                refund.error = str(exc)[:2000]
                log.warning("provider_refund_failed", provider=refund.provider, error=refund.error)
                continue
            refund.status, refund.done_at, refund.error = "done", clock.now(), None
            done += 1
    return done

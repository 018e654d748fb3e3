"""Debit requests (B-21): each unpaid renewal invoice of a client with an active mandate gets one debit request for
its due date (at least `direct_debit_lead_days` ahead: banks need the notice). Safe with any number of replicas:
the attempt's key is unique per invoice and stored before the provider is called; an attempt the provider never
confirmed is retried, the provider first asked for a request already made for the invoice's reference.

The result comes back like any payment: the provider's webhook (or reconciliation of the open attempt) applies a
paid debit once (B-19), and a rejected one leaves the invoice open and tells the client how to pay by hand
(`billing.payments.automatic`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from billing.config import BillingSettings
from billing.direct_debit.claims import Debit, claim_debits
from billing.direct_debit.models import MandateState
from billing.direct_debit.protocol import TakesMandates
from billing.direct_debit.repository import DebitRepository, MandateRepository
from billing.direct_debit.service import apply_update, mandate_provider
from billing.jobs import ask_then_record
from billing.payments.models import AttemptStatus, PaymentAttempt
from billing.payments.provider import MethodUpdate, PaymentProvider, ProviderError

log = structlog.get_logger("billing.direct_debit")


@dataclass(frozen=True)
class DebitPass:
    """What each step of a direct-debit pass works with: the provider that takes mandates, at most `limit` items."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: BillingSettings
    provider: TakesMandates
    limit: int = 50


def debit_pass(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: dict[str, PaymentProvider],
    limit: int = 50,
) -> DebitPass | None:
    """None where no provider that takes mandates is set up here: nothing to do."""
    provider = mandate_provider(settings, providers)
    return None if provider is None else DebitPass(sessionmaker, clock, settings, provider, limit)


async def run_debit_pass(run: DebitPass | None) -> None:
    """Pending mandates asked about, debits requested, debits of invoices settled otherwise withdrawn."""
    if run is not None:
        await refresh_pending_mandates(run)
        await request_debits(run)
        await withdraw_settled_debits(run)


async def request_debits(run: DebitPass) -> int:
    """One pass; returns how many debit requests the provider confirmed."""
    sessionmaker, clock, settings, provider = run.sessionmaker, run.clock, run.settings, run.provider
    async with unit_of_work(sessionmaker) as session:
        claimed = await claim_debits(
            session=session, clock=clock, settings=settings, provider=provider.name, limit=run.limit
        )

    async def ask(debit: Debit) -> str | ProviderError:
        try:
            return await provider.request_debit(
                mandate_ref=debit.mandate_ref, invoice=debit.invoice, debit_on=debit.debit_on
            )
        except ProviderError as exc:  # stays "started": retried after direct_debit_retry_seconds
            log.warning("debit_request_failed", invoice_id=str(debit.invoice.invoice_id), error=str(exc))
            return exc

    async def record(session: AsyncSession, debit: Debit, ref: str | ProviderError) -> bool:
        stored = await session.get(PaymentAttempt, debit.attempt_id, with_for_update=True)
        if isinstance(ref, ProviderError):
            if stored is not None:
                stored.error = str(ref)[:1000]
            return False
        if stored is not None and stored.status == AttemptStatus.STARTED:
            # Open: reconciliation asks the provider about it until it is paid or fails.
            stored.status, stored.provider_ref, stored.error = AttemptStatus.OPEN.value, ref, None
        log.info(
            "debit_requested", invoice_id=str(debit.invoice.invoice_id), debit=ref, debit_on=debit.debit_on.isoformat()
        )
        return True

    return await ask_then_record(sessionmaker, claimed, ask, record)


async def refresh_pending_mandates(run: DebitPass) -> int:
    """Mandates still pending are asked about now and then: a webhook that arrived before the mandate's reference was
    stored (or was lost) does not leave it pending for ever. Returns how many changed."""
    sessionmaker, clock, settings, provider = run.sessionmaker, run.clock, run.settings, run.provider
    now = clock.now()
    async with unit_of_work(sessionmaker) as session:
        due = await MandateRepository(session).pending_due(
            provider=provider.name,
            updated_before=now - timedelta(seconds=settings.direct_debit_retry_seconds),
            limit=run.limit,
        )
        refs = [m.mandate_ref for m in due if m.mandate_ref]
        for mandate in due:
            mandate.updated_at = now  # asked now: the next pass leaves it alone for a while

    async def ask(ref: str) -> tuple[str, str] | None:
        try:
            return await provider.mandate_state(mandate_ref=ref)
        except ProviderError as exc:
            log.warning("mandate_refresh_failed", mandate_ref=ref, error=str(exc))
            return None

    async def record(session: AsyncSession, ref: str, answer: tuple[str, str] | None) -> bool:
        if answer is None:
            return False
        state, detail = answer
        outcome = await apply_update(
            session, clock, MethodUpdate(provider=provider.name, method_ref=ref, state=state, detail=detail)
        )
        return outcome == f"mandate {state}" and state != MandateState.PENDING

    return await ask_then_record(sessionmaker, refs, ask, record)


async def withdraw_settled_debits(run: DebitPass) -> int:
    """A debit requested for an invoice since paid another way (a card's auto-pay, a transfer) or cancelled is
    withdrawn at the provider, so the client is not charged twice; one collected meanwhile still applies (as credit,
    B-10). Returns how many were withdrawn."""
    sessionmaker, clock, provider = run.sessionmaker, run.clock, run.provider
    async with unit_of_work(sessionmaker) as session:
        due = await DebitRepository(session).settled_otherwise(provider=provider.name, limit=run.limit)
        found = [(a.id, a.provider_ref) for a in due if a.provider_ref]

    async def ask(found: tuple[uuid.UUID, str]) -> bool:
        """Whether the debit is done with: withdrawn now, or not cancellable (a 4xx: collected already, its webhook
        applies it, or cancelled); False while the provider is unreachable (asked again next pass)."""
        try:
            await provider.cancel_debit(debit_ref=found[1])
        except ProviderError as exc:
            log.warning("debit_withdraw_failed", debit=found[1], error=str(exc))
            return "HTTP 4" in str(exc)
        return True

    async def record(session: AsyncSession, found: tuple[uuid.UUID, str], done_with: bool) -> bool:
        stored = await session.get(PaymentAttempt, found[0], with_for_update=True) if done_with else None
        if stored is None or stored.withdrawn_at is not None:
            return False
        stored.withdrawn_at = clock.now()
        if stored.status == AttemptStatus.OPEN:
            stored.status = AttemptStatus.CLOSED.value
        return True

    return await ask_then_record(sessionmaker, found, ask, record)

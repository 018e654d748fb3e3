"""Debit requests (B-21): each unpaid renewal invoice of a client with an active mandate gets one debit request for
its due date (at least `direct_debit_lead_days` ahead: banks need the notice). Safe with any number of replicas:
the attempt's key is unique per invoice and stored before the provider is called; an attempt the provider never
confirmed is retried, the provider first asked for a request already made for the invoice's reference.

The result comes back like any payment: the provider's webhook (or reconciliation of the open attempt) applies a
paid debit once (B-19), and a rejected one leaves the invoice open and tells the client how to pay by hand
(`billing.payments.automatic`)."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from billing.config import BillingSettings
from billing.direct_debit.claims import claim_debits
from billing.direct_debit.models import MandateState
from billing.direct_debit.repository import DebitRepository, MandateRepository
from billing.direct_debit.service import apply_update, mandate_provider
from billing.payments.models import AttemptStatus, PaymentAttempt
from billing.payments.provider import MethodUpdate, PaymentProvider, ProviderError

log = structlog.get_logger("billing.direct_debit")


async def request_debits(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: dict[str, PaymentProvider],
    limit: int = 50,
) -> int:
    """One pass; returns how many debit requests the provider confirmed."""
    provider = mandate_provider(settings, providers)
    if provider is None:
        return 0
    async with unit_of_work(sessionmaker) as session:
        claimed = await claim_debits(
            session=session, clock=clock, settings=settings, provider=provider.name, limit=limit
        )
    done = 0
    for debit in claimed:
        try:
            ref = await provider.request_debit(
                mandate_ref=debit.mandate_ref, invoice=debit.invoice, debit_on=debit.debit_on
            )
        except ProviderError as exc:  # stays "started": retried after direct_debit_retry_seconds
            async with unit_of_work(sessionmaker) as session:
                stored = await session.get(PaymentAttempt, debit.attempt_id, with_for_update=True)
                if stored is not None:
                    stored.error = str(exc)[:1000]
            log.warning("debit_request_failed", invoice_id=str(debit.invoice.invoice_id), error=str(exc))
            continue
        async with unit_of_work(sessionmaker) as session:
            stored = await session.get(PaymentAttempt, debit.attempt_id, with_for_update=True)
            if stored is not None and stored.status == AttemptStatus.STARTED:
                # Open: reconciliation asks the provider about it until it is paid or fails.
                stored.status, stored.provider_ref, stored.error = AttemptStatus.OPEN.value, ref, None
        log.info(
            "debit_requested", invoice_id=str(debit.invoice.invoice_id), debit=ref, debit_on=debit.debit_on.isoformat()
        )
        done += 1
    return done


async def refresh_pending_mandates(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: dict[str, PaymentProvider],
    limit: int = 50,
) -> int:
    """Mandates still pending are asked about now and then: a webhook that arrived before the mandate's reference was
    stored (or was lost) does not leave it pending for ever. Returns how many changed."""
    provider = mandate_provider(settings, providers)
    if provider is None:
        return 0
    now = clock.now()
    async with unit_of_work(sessionmaker) as session:
        due = await MandateRepository(session).pending_due(
            provider=provider.name,
            updated_before=now - timedelta(seconds=settings.direct_debit_retry_seconds),
            limit=limit,
        )
        refs = [m.mandate_ref for m in due if m.mandate_ref]
        for mandate in due:
            mandate.updated_at = now  # asked now: the next pass leaves it alone for a while
    changed = 0
    for ref in refs:
        try:
            state, detail = await provider.mandate_state(mandate_ref=ref)
        except ProviderError as exc:
            log.warning("mandate_refresh_failed", mandate_ref=ref, error=str(exc))
            continue
        async with unit_of_work(sessionmaker) as session:
            outcome = await apply_update(
                session, clock, MethodUpdate(provider=provider.name, method_ref=ref, state=state, detail=detail)
            )
        if outcome == f"mandate {state}" and state != MandateState.PENDING:
            changed += 1
    return changed


async def withdraw_settled_debits(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: dict[str, PaymentProvider],
    limit: int = 50,
) -> int:
    """A debit requested for an invoice since paid another way (a card's auto-pay, a transfer) or cancelled is
    withdrawn at the provider, so the client is not charged twice; one collected meanwhile still applies (as credit,
    B-10). Returns how many were withdrawn."""
    provider = mandate_provider(settings, providers)
    if provider is None:
        return 0
    async with unit_of_work(sessionmaker) as session:
        due = await DebitRepository(session).settled_otherwise(provider=provider.name, limit=limit)
        found = [(a.id, a.provider_ref) for a in due if a.provider_ref]
    withdrawn = 0
    for attempt_id, ref in found:
        try:
            await provider.cancel_debit(debit_ref=ref)
        except ProviderError as exc:  # collected already (its webhook applies it), cancelled, or unreachable
            log.warning("debit_withdraw_failed", debit=ref, error=str(exc))
            if "HTTP 4" not in str(exc):  # unreachable: asked again next pass; a 4xx: not cancellable, done asking
                continue
        async with unit_of_work(sessionmaker) as session:
            stored = await session.get(PaymentAttempt, attempt_id, with_for_update=True)
            if stored is not None and stored.withdrawn_at is None:
                stored.withdrawn_at = clock.now()
                if stored.status == AttemptStatus.OPEN:
                    stored.status = AttemptStatus.CLOSED.value
                withdrawn += 1
    return withdrawn

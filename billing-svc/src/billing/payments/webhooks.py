"""The webhook store (Polar's pattern, with a sweep): a verified event is stored once per (provider, external id),
processed after commit, and a row left unprocessed (a crash, a provider down) is retried by the sweep."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.metrics import count_after_commit
from billing.config import BillingSettings
from billing.metrics import WEBHOOKS_PROCESSED
from billing.payments.applying import apply_provider_payment
from billing.payments.chargebacks import record_chargeback
from billing.payments.models import ProviderEvent
from billing.payments.provider import Dispute, PaymentProvider, ProviderPayment, ProviderPaymentStatus
from billing.payments.repository import ProviderEventRepository
from billing.payments.stripe_provider import money_from_stripe, payment_from_intent
from billing.payments.verify import VerifiedEvent

log = structlog.get_logger("billing.webhooks")
MAX_BACKOFF = timedelta(hours=1)


async def store_event(*, session: AsyncSession, clock: Clock, settings: BillingSettings, event: VerifiedEvent) -> bool:
    """Store the raw event unless already stored (insert-on-conflict-do-nothing); True if it is new."""
    now = clock.now()
    return await ProviderEventRepository(session).add_once(ProviderEvent(
        provider=event.provider, external_id=event.external_id, event_type=event.event_type,
        object_id=event.object_id, body=event.body, received_at=now, attempts=0,
        # The request processes it at once; the sweep only takes it if that did not happen by then.
        next_attempt_at=now + timedelta(seconds=settings.webhook_retry_seconds)))


def _stripe_session_payment(obj: dict[str, Any]) -> ProviderPayment | None:
    if obj.get("payment_status") != "paid" or not obj.get("payment_intent"):
        return None
    metadata = obj.get("metadata") or {}
    raw_invoice = metadata.get("invoice_id") or obj.get("client_reference_id")
    return ProviderPayment(provider="stripe", payment_id=str(obj["payment_intent"]),
                           status=ProviderPaymentStatus.APPROVED,
                           amount=money_from_stripe(int(obj["amount_total"]), str(obj["currency"])),
                           invoice_id=uuid.UUID(str(raw_invoice)) if raw_invoice else None,
                           reference=metadata.get("payment_reference"))


async def _handle(*, session: AsyncSession, clock: Clock, settings: BillingSettings,
                  providers: dict[str, PaymentProvider], row: ProviderEvent) -> str:
    provider = providers.get(row.provider)
    if provider is None:
        raise LookupError(f"provider {row.provider} is not configured")
    if row.provider == "mercadopago":
        if row.event_type not in ("payment", "payment.created", "payment.updated") or not row.object_id:
            return "ignored"
        # The body is not signed: the payment's status comes from the API, always.
        payment = await provider.get_payment(payment_id=row.object_id)
        if payment.status == ProviderPaymentStatus.CHARGED_BACK:
            return await record_chargeback(session=session, clock=clock, provider=provider, dispute=Dispute(
                provider="mercadopago", dispute_id=f"payment:{payment.payment_id}", payment_id=payment.payment_id))
        return await apply_provider_payment(session=session, clock=clock, settings=settings, payment=payment)
    event = json.loads(row.body)
    obj: dict[str, Any] = event["data"]["object"]
    kind = event["type"]
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        found = _stripe_session_payment(obj)
        if found is None:
            return "not paid yet"
        return await apply_provider_payment(session=session, clock=clock, settings=settings, payment=found)
    if kind == "payment_intent.succeeded":
        return await apply_provider_payment(session=session, clock=clock, settings=settings,
                                            payment=payment_from_intent(obj))
    if kind == "charge.dispute.created":
        return await record_chargeback(session=session, clock=clock, provider=provider, dispute=Dispute(
            provider="stripe", dispute_id=str(obj["id"]), payment_id=str(obj["payment_intent"])))
    return "ignored"


async def process_event(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                        providers: dict[str, PaymentProvider], provider: str, external_id: str) -> str | None:
    """Process one stored event if nobody else is and it is not done; its effects and "done" commit together.
    A failure rolls its effects back, counts the attempt and leaves the row to the sweep (with back-off)."""
    async with unit_of_work(sessionmaker) as session:
        row = await ProviderEventRepository(session).claim_unprocessed(provider, external_id)
        if row is None:
            return None  # done already, or being processed right now
        try:
            async with session.begin_nested():
                outcome = await _handle(session=session, clock=clock, settings=settings, providers=providers,
                                        row=row)
        except Exception as exc:  # noqa: BLE001 - any failure is retried by the sweep, never lost
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delay = min(timedelta(seconds=settings.webhook_retry_seconds * 2 ** min(row.attempts, 10)), MAX_BACKOFF)
            row.next_attempt_at = clock.now() + delay
            log.warning("webhook_processing_failed", provider=provider, external_id=external_id,
                        attempts=row.attempts, error=row.last_error)
            count_after_commit(session, WEBHOOKS_PROCESSED, provider=provider, outcome="failed")
            return "failed"
        row.processed_at, row.outcome = clock.now(), outcome
        row.attempts += 1
        count_after_commit(session, WEBHOOKS_PROCESSED, provider=provider, outcome=outcome)
        log.info("webhook_processed", provider=provider, external_id=external_id, outcome=outcome)
        return outcome


async def sweep(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                providers: dict[str, PaymentProvider], limit: int = 100) -> int:
    """Process stored events whose turn has come (never processed in their request, or failed before)."""
    async with unit_of_work(sessionmaker) as session:
        due = await ProviderEventRepository(session).due(clock.now(), limit)
    done = 0
    for provider, external_id in due:
        if await process_event(sessionmaker=sessionmaker, clock=clock, settings=settings, providers=providers,
                               provider=provider, external_id=external_id) not in (None, "failed"):
            done += 1
    return done

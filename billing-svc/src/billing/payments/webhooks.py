"""The webhook store (Polar's pattern, with a sweep): a verified event is stored once per (provider, external id),
processed after commit, and a row left unprocessed (a crash, a provider down) is retried by the sweep."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.config import BillingSettings
from billing.payments.applying import apply_provider_payment
from billing.payments.chargebacks import record_chargeback
from billing.payments.provider import EventEffect, PaymentProvider, VerifiedEvent
from billing.payments.repository import ProviderEventRepository
from billing.payments.saved_methods import method_updated

log = structlog.get_logger("billing.webhooks")


async def store_event(*, session: AsyncSession, clock: Clock, settings: BillingSettings, event: VerifiedEvent) -> bool:
    """Store the raw event unless already stored (insert-on-conflict-do-nothing, one statement: the request runs
    it in `single_statement`); True if it is new."""
    now = clock.now()
    # The request processes it at once; the sweep only takes it if that did not happen by then.
    return await ProviderEventRepository(session).store_once(
        event, received_at=now, next_attempt_at=now + timedelta(seconds=settings.webhook_retry_seconds))


async def read_ahead(providers: dict[str, PaymentProvider], event: VerifiedEvent) -> EventEffect | None:
    """Issue 20: what the provider says a new event means, asked before its processing's transaction begins (the
    F-1 card read from Stripe, MercadoPago's payment status: an HTTP call each) so that no connection and no row
    lock waits for the provider. None when that failed: `handle_event` asks again, where a failure is counted and
    retried with the event."""
    provider = providers.get(event.provider)
    if provider is None:
        return None
    try:
        return await provider.parse_event(event)
    except Exception as exc:  # noqa: BLE001 - asked again in the transaction, where it counts
        log.info("webhook_read_ahead_failed", provider=event.provider, external_id=event.external_id,
                 error=repr(exc))
        return None


async def handle_event(*, session: AsyncSession, clock: Clock, settings: BillingSettings,
                       providers: dict[str, PaymentProvider], event: VerifiedEvent,
                       effect: EventEffect | None = None) -> str:
    """What the provider says the stored event means (`effect`, when it was read ahead, else asked now), applied:
    a payment once per payment key, a dispute once per dispute id, a mandate's new state; nothing here knows which
    provider it is."""
    provider = providers.get(event.provider)
    if provider is None:
        raise LookupError(f"provider {event.provider} is not configured")
    if effect is None:
        effect = await provider.parse_event(event)
    if effect.dispute is not None:
        return await record_chargeback(session=session, clock=clock, provider=provider, dispute=effect.dispute)
    if effect.method_update is not None:
        return await method_updated.dispatch(session, clock, effect.method_update)
    if effect.payment is not None:
        return await apply_provider_payment(session=session, clock=clock, settings=settings, payment=effect.payment)
    return effect.note

"""The webhook store (Polar's pattern, with a sweep): a verified event is stored once per (provider, external id),
processed after commit, and a row left unprocessed (a crash, a provider down) is retried by the sweep."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.config import BillingSettings
from billing.payments.applying import apply_provider_payment
from billing.payments.chargebacks import record_chargeback
from billing.payments.models import ProviderEvent
from billing.payments.provider import Dispute, PaymentProvider, ProviderPayment, ProviderPaymentStatus
from billing.payments.repository import ProviderEventRepository
from billing.payments.stripe_provider import money_from_stripe, payment_from_intent
from billing.payments.verify import VerifiedEvent

log = structlog.get_logger("billing.webhooks")
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


async def handle_event(*, session: AsyncSession, clock: Clock, settings: BillingSettings,
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

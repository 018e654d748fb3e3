"""affiliate-svc's consumers, built for its settings: the gateway's client events (F-1 attribution, A-2
verification) and billing's payments, refunds and chargebacks (F-2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import (
    ChargebackReceived,
    ClientRegistered,
    ClientUpdated,
    ClientVerified,
    InvoicePaid,
    InvoiceRefunded,
)
from abono.messaging.consumer import Consumer
from affiliate.clients.repository import ClientRepository
from affiliate.commissions import service as commissions
from affiliate.config import AffiliateSettings
from affiliate.referrals import service as referrals
from affiliate.referrals.rules import email_key


async def _refuse_self_referrals(session: AsyncSession, event: ClientVerified | InvoicePaid) -> None:
    for attribution in await referrals.refuse_self_referrals(session=session, client_id=event.client_id,
                                                             now=event.occurred_at):
        await commissions.reverse_client(session=session, client_id=attribution.client_id,
                                         reason=attribution.reason, at=event.occurred_at)


def make_consumers(settings: AffiliateSettings) -> list[Consumer]:
    clients = Consumer("clients")
    billing = Consumer("billing")

    @clients.on(ClientRegistered)
    async def client_registered(session: AsyncSession, event: ClientRegistered) -> None:
        await ClientRepository(session).upsert(event.client_id, email_key=email_key(event.profile.email),
                                               currency=event.profile.currency, at=event.occurred_at)
        if event.referral_code or event.referral_visit:
            await referrals.attribute_signup(session=session, settings=settings, client_id=event.client_id,
                                             code=event.referral_code, visit_token=event.referral_visit,
                                             signed_up_at=event.occurred_at)

    @clients.on(ClientUpdated)
    async def client_updated(session: AsyncSession, event: ClientUpdated) -> None:
        await ClientRepository(session).upsert(event.client_id, email_key=email_key(event.profile.email),
                                               currency=event.profile.currency, at=event.occurred_at)

    @clients.on(ClientVerified)
    async def client_verified(session: AsyncSession, event: ClientVerified) -> None:
        await ClientRepository(session).mark_verified(event.client_id, legal_name=event.legal_name,
                                                      fingerprint=event.document_fingerprint, at=event.occurred_at)
        await _refuse_self_referrals(session, event)

    @billing.on(InvoicePaid)
    async def invoice_paid(session: AsyncSession, event: InvoicePaid) -> None:
        if event.payer_fingerprint:
            await ClientRepository(session).add_payer_fingerprint(event.client_id, event.payer_fingerprint,
                                                                  at=event.occurred_at)
            await _refuse_self_referrals(session, event)
        await commissions.record_paid_invoice(session=session, settings=settings, event=event)

    @billing.on(InvoiceRefunded)
    async def invoice_refunded(session: AsyncSession, event: InvoiceRefunded) -> None:
        await commissions.record_reversal(session=session, key=f"refund:{event.invoice_id}",
                                          invoice_id=event.invoice_id, client_id=event.client_id, kind="refund",
                                          amount=event.amount.to_money(), at=event.occurred_at)

    @billing.on(ChargebackReceived)
    async def charged_back(session: AsyncSession, event: ChargebackReceived) -> None:
        if event.invoice_id is None:
            return
        await commissions.record_reversal(session=session, key=f"chargeback:{event.provider}:{event.dispute_id}",
                                          invoice_id=event.invoice_id, client_id=event.client_id,
                                          kind="chargeback", amount=None, at=event.occurred_at)

    return [clients, billing]

"""The gateway's consumer `accounts` (queue `gateway.accounts`): billing's events that act on accounts."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ChargebackReceived
from abono.messaging.consumer import Consumer
from gateway.accounts.closure import close_account

consumer = Consumer("accounts")


@consumer.on(ChargebackReceived)
async def chargeback_received(session: AsyncSession, event: ChargebackReceived) -> None:
    """B-17: a chargeback / dispute closes the account at once (billing and provisioning end its services)."""
    await close_account(
        session=session,
        user_id=event.client_id,
        reason="chargeback",
        rule="B-17",
        now=event.occurred_at,
        event_id=str(event.event_id),
        provider=event.provider,
        provider_payment_id=event.provider_payment_id,
        dispute_id=event.dispute_id,
        invoice_id=str(event.invoice_id) if event.invoice_id else None,
    )

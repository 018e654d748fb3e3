"""What billing takes from the affiliate service: the referrer of a link sign-up (B-12/F-4: its free month) and
commissions withdrawn as credit balance (F-3)."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import AffiliateCreditWithdrawn, ReferralAttributed
from abono.messaging.consumer import Consumer
from billing.clients.repository import ClientRepository
from billing.credit.repository import CreditRepository

consumer = Consumer("affiliate")


@consumer.on(ReferralAttributed)
async def referral_attributed(session: AsyncSession, event: ReferralAttributed) -> None:
    """A sign-up through a referral link names its referrer like a typed code does (kept if one was typed)."""
    clients = ClientRepository(session)
    if await clients.get(event.client_id) is None:  # ClientRegistered not applied yet: retried through the queue
        raise LookupError(f"client {event.client_id} is not known to billing yet")
    await clients.record_referral(event.client_id, event.code)


@consumer.on(AffiliateCreditWithdrawn)
async def credit_withdrawn(session: AsyncSession, event: AffiliateCreditWithdrawn) -> None:
    """F-3: once per event (the inbox); the affiliate service emits one per withdrawal."""
    credit = CreditRepository(session)
    await credit.lock(event.client_id)
    await credit.add(client_id=event.client_id, amount=event.amount.to_money(),
                     reason=f"affiliate commissions withdrawn ({event.withdrawal_id})", at=event.occurred_at)

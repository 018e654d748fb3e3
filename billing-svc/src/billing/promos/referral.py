"""Referral free month (B-12, F-4), as credit balance.

How a code maps to a referrer (affiliate-svc is still a skeleton, so billing owns this for now): every client's
referral code is the first 12 hex digits of its id, upper case (`clients.referral_code`, computed and unique in
PostgreSQL; shown at GET /clients/me and GET /referrals/me). `ClientRegistered.referral_code` is the code the new
client signed up with; billing stores it and the referrer it names on its client copy (never the client itself).

When a referred friend pays (the first invoice it pays through `apply_payment` — a 2x1 invoice that was free is
not a payment), its referrer earns `BILLING_REFERRAL_FREE_MONTHS` months of the friend's first service on that
invoice (`promos.rules.referral_credit`: the product's monthly price in the referrer's currency, else the line's
unit price prorated exactly to months), exactly once per friend (`referral_rewards`' primary key), cumulative,
as a credit entry the existing B-10 logic applies to the referrer's next invoices, and audited (`audit_log`,
action "referral_credit", actor: the friend whose payment earned it).

B-13 reading: "no discount or bonus on any invoice while suspended" is about the suspended client's invoices. The
referral credit is earned, not an invoice discount: a referrer with a suspended service still earns it, and it is
used like any credit balance (it pays what the referrer owes). Lock order: the friend's credit lock is held by
`apply_payment` and the referrer's is taken here; a referrer registered before its friend, so the order is always
friend → referrer and two payments cannot deadlock on it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing.audit.repository import AuditRepository
from billing.catalog.repository import CatalogRepository
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.cycles import Cycle
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.promos.models import ReferralReward
from billing.promos.repository import ReferralRepository
from billing.promos.rules import referral_credit


async def _referrer(session: AsyncSession, client: Client) -> Client | None:
    clients = ClientRepository(session)
    if client.referrer_id is not None:
        return await clients.get(client.referrer_id)
    if client.referred_by_code is None:
        return None
    referrer = await clients.by_referral_code(client.referred_by_code)  # registered after its friend's event
    if referrer is None or referrer.id == client.id:
        return None
    client.referrer_id = referrer.id
    return referrer


async def reward_referrer(*, session: AsyncSession, clock: Clock, settings: BillingSettings,
                          invoice: Invoice, friend: Client | None = None) -> ReferralReward | None:
    """The referrer's free month for this paid invoice's client, if it is a referred friend paying for the first
    time; None when nothing is due (not referred, rewarded before, no service on the invoice, rule off). `friend`:
    the invoice's client when the caller has read it in this transaction (else read here)."""
    if not settings.referral_enabled or settings.referral_free_months == 0:
        return None
    if friend is None or friend.id != invoice.client_id:
        friend = await ClientRepository(session).get(invoice.client_id)
    if friend is None or friend.referred_by_code is None:
        return None
    rewards = ReferralRepository(session)
    if await rewards.reward_of(friend.id) is not None:
        return None
    referrer = await _referrer(session, friend)
    if referrer is None:
        return None
    line = next((li for li in await InvoiceRepository(session).lines(invoice.id)
                 if li.kind == "service" and li.product_id is not None and li.cycle is not None), None)
    if line is None or line.product_id is None or line.cycle is None:
        return None
    monthly = await CatalogRepository(session).price(line.product_id, Cycle.MONTHLY.value, referrer.currency)
    amount, basis = referral_credit(
        monthly_price=None if monthly is None else Money(monthly.amount_minor, referrer.currency),
        unit_price=Money(line.unit_price_minor, invoice.currency), cycle_months=Cycle(line.cycle).months,
        free_months=settings.referral_free_months)
    if amount.is_zero():
        return None
    now = clock.now()
    if not await rewards.add_reward_once(ReferralReward(
            referred_id=friend.id, referrer_id=referrer.id, invoice_id=invoice.id, product_id=line.product_id,
            amount_minor=amount.amount_minor, currency=amount.currency, basis=basis, earned_at=now)):
        # another payment of the same friend got there first
        return None
    credit = CreditRepository(session)
    await credit.lock(referrer.id)
    await credit.add(client_id=referrer.id, amount=amount, at=now,
                     reason=f"referral: {settings.referral_free_months} free month(s), friend {friend.id}")
    await AuditRepository(session).add(
        actor_id=friend.id, action="referral_credit", target_type="client", target_id=referrer.id, at=now,
        details={"invoice_id": str(invoice.id), "amount_minor": amount.amount_minor, "currency": amount.currency,
                 "basis": basis})
    return await rewards.reward_of(friend.id)


async def summary(session: AsyncSession, client: Client) -> tuple[int, int, list[Money]]:
    """(friends who signed up with the client's code, friends who paid, credit earned per currency)."""
    rewards = ReferralRepository(session)
    rows = await rewards.rewards_by_currency(client.id)
    return (await rewards.referred_count(client), sum(count for _, count, _ in rows),
            [Money(total, currency) for currency, _, total in rows])

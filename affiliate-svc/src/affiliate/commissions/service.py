"""F-2: posting commissions, reversals and maturations to the ledger, each exactly once (unique `key`).

- A referred client's paid invoice (`InvoicePaid`) is kept (`paid_invoices`); if its attribution is `attributed`
  it earns a commission at once: + pending, maturing `holding_days` after the payment.
- A refund (`InvoiceRefunded`) or chargeback (`ChargebackReceived`) is kept (`invoice_reversals`) and reverses the
  invoice's commission: a refund its share of the invoice, a chargeback all that is left. The reversal hits the
  bucket the commission is in (pending, or available once matured), even after a withdrawal: the available balance
  may go negative and the next withdrawal can only take what is left after netting.
- The maturing job moves each due commission, less what was reversed, from pending to available.
Maturing and reversing one commission lock its row, so neither can miss the other.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import InvoicePaid
from abono.money import Money
from affiliate.commissions.models import Bucket, EntryType, LedgerEntry, PaidInvoice
from affiliate.commissions.repository import LedgerRepository
from affiliate.commissions.rules import commission_of, reversal_of
from affiliate.config import AffiliateSettings
from affiliate.rates import service as rates
from affiliate.referrals.models import Attribution, AttributionStatus
from affiliate.referrals.repository import ReferralRepository


async def record_paid_invoice(*, session: AsyncSession, settings: AffiliateSettings, event: InvoicePaid) -> None:
    """A paid invoice of a referred client: kept, and its commission posted when the attribution earns."""
    attribution = await ReferralRepository(session).attribution(event.client_id)
    if attribution is None or attribution.status == AttributionStatus.REFUSED:
        return
    lines = [{"product_kind": li.product_kind, "amount_minor": li.amount.amount_minor} for li in event.lines]
    paid = await LedgerRepository(session).keep_paid_invoice(
        invoice_id=event.invoice_id, client_id=event.client_id, number=event.number,
        total_minor=event.total.amount_minor, currency=event.total.currency, paid_at=event.paid_at,
        kind=event.kind, lines=lines)
    if attribution.status == AttributionStatus.ATTRIBUTED:
        await post_commission(session=session, settings=settings, attribution=attribution, paid=paid,
                              at=event.occurred_at)


async def post_commission(*, session: AsyncSession, settings: AffiliateSettings, attribution: Attribution,
                          paid: PaidInvoice, at: datetime) -> uuid.UUID | None:
    """The invoice's commission, once; then any refund or chargeback of it that came first."""
    total = Money(paid.total_minor, paid.currency)
    amount = commission_of(total=total, lines=paid.lines, percent_for=await rates.percent_for(session, settings))
    if amount.amount_minor <= 0:
        return None
    posted = await LedgerRepository(session).post(
        key=f"commission:{paid.invoice_id}", affiliate_id=attribution.affiliate_id,
        entry_type=EntryType.COMMISSION, bucket=Bucket.PENDING, amount=amount, at=at,
        referred_client_id=paid.client_id, invoice_id=paid.invoice_id,
        matures_at=paid.paid_at + timedelta(days=settings.holding_days), note=f"invoice {paid.number}")
    await settle_reversals(session=session, invoice_id=paid.invoice_id, at=at)
    return posted


async def backfill(*, session: AsyncSession, settings: AffiliateSettings, attribution: Attribution,
                   at: datetime) -> int:
    """After staff approve a held attribution: the commissions of what the client paid meanwhile."""
    posted = 0
    for paid in await LedgerRepository(session).paid_invoices_of(attribution.client_id):
        if await post_commission(session=session, settings=settings, attribution=attribution, paid=paid, at=at):
            posted += 1
    return posted


async def record_reversal(*, session: AsyncSession, key: str, invoice_id: uuid.UUID, client_id: uuid.UUID,
                          kind: str, amount: Money | None, at: datetime) -> None:
    """A refund or chargeback of an invoice: kept once, and applied to its commission if there is one."""
    await LedgerRepository(session).keep_reversal(
        key=key, invoice_id=invoice_id, client_id=client_id, kind=kind,
        amount_minor=amount.amount_minor if amount is not None else None,
        currency=amount.currency if amount is not None else None, received_at=at)
    await settle_reversals(session=session, invoice_id=invoice_id, at=at)


async def _reverse(session: AsyncSession, commission: LedgerEntry, amount: Money, *, key: str, note: str,
                   at: datetime) -> None:
    if amount.amount_minor <= 0:
        return
    ledger = LedgerRepository(session)
    bucket = Bucket.AVAILABLE if await ledger.is_matured(commission) else Bucket.PENDING
    await ledger.post(key=key, affiliate_id=commission.affiliate_id, entry_type=EntryType.REVERSAL, bucket=bucket,
                      amount=-amount, at=at, referred_client_id=commission.referred_client_id,
                      invoice_id=commission.invoice_id, commission_id=commission.id, note=note)


async def settle_reversals(*, session: AsyncSession, invoice_id: uuid.UUID, at: datetime) -> None:
    """Post the reversal of every refund or chargeback of the invoice not posted yet (each once, by its key)."""
    ledger = LedgerRepository(session)
    commission = await ledger.commission_of_invoice(invoice_id)
    if commission is None:
        return
    paid = await session.get(PaidInvoice, invoice_id)
    reversals = await ledger.reversals_of(invoice_id)
    money = Money(commission.amount_minor, commission.currency)
    for reversal in reversals:
        key = f"reversal:{reversal.key}"
        if await ledger.has_key(key):
            continue
        refunded = (Money(reversal.amount_minor, reversal.currency)
                    if reversal.amount_minor is not None and reversal.currency == commission.currency else None)
        total = Money(paid.total_minor, paid.currency) if paid is not None else money
        amount = reversal_of(commission=money, already_reversed=await ledger.reversed_of(commission),
                             invoice_total=total, refunded=refunded)
        await _reverse(session, commission, amount, key=key, note=f"{reversal.kind} of the invoice", at=at)


async def reverse_client(*, session: AsyncSession, client_id: uuid.UUID, reason: str, at: datetime) -> int:
    """Everything left of the commissions a client earned its affiliate (a self-referral found later)."""
    ledger, done = LedgerRepository(session), 0
    for commission in await ledger.commissions_of_client(client_id):
        money = Money(commission.amount_minor, commission.currency)
        left = money - await ledger.reversed_of(commission)
        if left.amount_minor > 0:
            await _reverse(session, commission, left, key=f"reversal:refused:{commission.id}", note=reason, at=at)
            done += 1
    return done


async def mature_due(*, session: AsyncSession, now: datetime, limit: int = 200) -> int:
    """Move due commissions (less their reversals) from pending to available; claimed with SKIP LOCKED, so any
    number of replicas can run this at once, and each maturation is posted once (its keys)."""
    ledger = LedgerRepository(session)
    due = await ledger.due_for_maturing(now, limit)
    for commission in due:
        left = Money(commission.amount_minor, commission.currency) - await ledger.reversed_of(commission)
        left = max(left, Money.zero(left.currency))
        for bucket, amount in ((Bucket.PENDING, -left), (Bucket.AVAILABLE, left)):
            await ledger.post(key=f"maturation:{commission.id}:{bucket.value}", affiliate_id=commission.affiliate_id,
                              entry_type=EntryType.MATURATION, bucket=bucket, amount=amount, at=now,
                              referred_client_id=commission.referred_client_id, invoice_id=commission.invoice_id,
                              commission_id=commission.id, note="holding period over")
    return len(due)

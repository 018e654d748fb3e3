"""Building the API's answers from rows (shared by the client's and the staff's endpoints)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.money import Money, MoneyModel
from affiliate.commissions.models import EntryType, LedgerEntry
from affiliate.commissions.repository import LedgerRepository
from affiliate.config import AffiliateSettings
from affiliate.referrals.models import Affiliate, AttributionStatus
from affiliate.referrals.repository import ReferralRepository
from affiliate.schemas import AffiliatePublic, AffiliateSummary, Balance, LedgerEntryPublic, WithdrawalPublic
from affiliate.withdrawals.models import Withdrawal


def affiliate_public(settings: AffiliateSettings, affiliate: Affiliate) -> AffiliatePublic:
    return AffiliatePublic(client_id=affiliate.client_id, code=affiliate.code, activated_at=affiliate.activated_at,
                           link=f"{settings.platform.gateway_url.rstrip('/')}/r/{affiliate.code}")


def balances_of(sums: dict[str, dict[str, int]]) -> list[Balance]:
    return [Balance(currency=c, pending=MoneyModel.of(Money(b["pending"], c)),
                    available=MoneyModel.of(Money(b["available"], c))) for c, b in sorted(sums.items())]


async def summary(session: AsyncSession, settings: AffiliateSettings, affiliate: Affiliate) -> AffiliateSummary:
    repo, ledger = ReferralRepository(session), LedgerRepository(session)
    attributions = await repo.attributions_of(affiliate.client_id)
    return AffiliateSummary(
        **affiliate_public(settings, affiliate).model_dump(),
        visits=await repo.visit_count(affiliate.client_id),
        signups=sum(a.status == AttributionStatus.ATTRIBUTED for a in attributions),
        held=sum(a.status == AttributionStatus.HELD for a in attributions),
        conversions=await ledger.conversions(affiliate.client_id),
        balances=balances_of(await ledger.balances(affiliate.client_id)),
    )


async def ledger_entries(session: AsyncSession, entries: list[LedgerEntry]) -> list[LedgerEntryPublic]:
    commission_ids: list[uuid.UUID] = [e.id for e in entries if e.entry_type == EntryType.COMMISSION]
    states = await LedgerRepository(session).commission_states(commission_ids)
    result = []
    for entry in entries:
        status = None
        if entry.entry_type == EntryType.COMMISSION:
            matured, reversed_minor = states.get(entry.id, (False, 0))
            status = ("reversed" if reversed_minor >= entry.amount_minor else
                      "partly reversed" if reversed_minor > 0 else "available" if matured else "pending")
        result.append(LedgerEntryPublic(
            id=entry.id, entry_type=entry.entry_type, bucket=entry.bucket,
            amount=MoneyModel.of(Money(entry.amount_minor, entry.currency)), created_at=entry.created_at,
            invoice_id=entry.invoice_id, commission_id=entry.commission_id, withdrawal_id=entry.withdrawal_id,
            matures_at=entry.matures_at, status=status, note=entry.note))
    return result


def withdrawal_public(w: Withdrawal) -> WithdrawalPublic:
    return WithdrawalPublic(id=w.id, affiliate_id=w.affiliate_id, method=w.method, status=w.status,
                            amount=MoneyModel.of(Money(w.amount_minor, w.currency)), month=w.month,
                            requested_at=w.requested_at, holder_name=w.holder_name, decided_at=w.decided_at,
                            transfer_reference=w.transfer_reference, reject_reason=w.reject_reason)

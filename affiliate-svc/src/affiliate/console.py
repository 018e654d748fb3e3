"""Staff console reads that span the packages: one affiliate's page, and the audit trail of staff's decisions."""

import uuid

from fastapi import APIRouter

from abono.auth import StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep
from abono.errors import NotFound, problem_responses
from affiliate import audit
from affiliate.commissions.repository import LedgerRepository
from affiliate.deps import BoxDep, SettingsDep
from affiliate.referrals.repository import ReferralRepository
from affiliate.schemas import AffiliateDetail, AttributionPublic, AuditEntryPublic, WithdrawalStaff
from affiliate.views import ledger_entries, summary, withdrawal_public
from affiliate.withdrawals import service as withdrawals

router = APIRouter(tags=["affiliates"])


@router.get("/staff/affiliates/{client_id}", summary="Staff: one affiliate: figures, balances, sign-ups, ledger, "
            "withdrawals (with bank details) and staff's decisions", responses=problem_responses(401, 403, 404, 422))
async def staff_affiliate(client_id: uuid.UUID, _: StaffPrincipal, session: ReadSessionDep, settings: SettingsDep,
                          box: BoxDep) -> AffiliateDetail:
    """Staff only. Everything about one affiliate for the console: figures and balances, the clients attributed to it,
    its latest ledger entries, its withdrawals with the bank details to pay them, and staff's decisions about it. 404 if
    the client has no affiliate account."""
    repo = ReferralRepository(session)
    affiliate = await repo.affiliate(client_id)
    if affiliate is None:
        raise NotFound("This client has no affiliate account.")
    entries = await LedgerRepository(session).entries(client_id, limit=200, offset=0)
    return AffiliateDetail(
        affiliate=await summary(session, settings, affiliate),
        attributions=[AttributionPublic.model_validate(a) for a in await repo.attributions_of(client_id)],
        ledger=await ledger_entries(session, entries),
        withdrawals=[WithdrawalStaff(**withdrawal_public(w).model_dump(), **withdrawals.bank_details(box, w))
                     for w in await withdrawals.list_for(session, affiliate_id=client_id)],
        audit=[AuditEntryPublic.model_validate(e)
               for e in await audit.listed(session, affiliate_id=client_id, limit=100, offset=0)],
    )


@router.get("/staff/audit", summary="Staff: decisions and setting changes, newest first (affiliate_id: one's)",
            responses=problem_responses(401, 403, 422))
async def staff_audit(_: StaffPrincipal, session: ReadSessionDep, affiliate_id: uuid.UUID | None = None,
                      limit: PageSizeQuery = 100, offset: OffsetQuery = 0) -> list[AuditEntryPublic]:
    """Staff only. The audit trail of staff's decisions (attributions, withdrawals) and commission rate changes, newest
    first; `affiliate_id` limits it to one affiliate. Paged with `limit` and `offset`."""
    return [AuditEntryPublic.model_validate(e)
            for e in await audit.listed(session, affiliate_id=affiliate_id, limit=limit, offset=offset)]

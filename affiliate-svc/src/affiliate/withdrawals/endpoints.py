"""F-3 endpoints: the affiliate's withdrawals; staff's list, approve, mark paid, reject (each audited)."""

import uuid

from fastapi import APIRouter, status

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import problem_responses
from abono.money import Money
from affiliate.deps import BoxDep, ClockDep, SettingsDep
from affiliate.schemas import Decision, MarkPaid, WithdrawalCreate, WithdrawalPublic, WithdrawalStaff
from affiliate.views import withdrawal_public
from affiliate.withdrawals import service
from affiliate.withdrawals.models import WithdrawalMethod, WithdrawalStatus

router = APIRouter(tags=["withdrawals"])


@router.post("/affiliates/me/withdrawals", status_code=status.HTTP_201_CREATED,
             summary="Withdraw available commissions to my bank account or as credit balance",
             description="A bank withdrawal needs a verified identity, reaches the minimum amount and is one per "
             "calendar month; it is paid within 7-10 days. As credit balance it is applied to my next invoices.",
             responses=problem_responses(401, 404, 409, 422))
async def request_withdrawal(data: WithdrawalCreate, principal: CurrentPrincipal, session: SessionDep,
                             settings: SettingsDep, box: BoxDep, clock: ClockDep) -> WithdrawalPublic:
    bank = (service.BankAccount(holder_name=data.bank_account.holder_name, bank=data.bank_account.bank,
                                account=data.bank_account.account) if data.bank_account else None)
    withdrawal = await service.request(session=session, settings=settings, box=box, affiliate_id=principal.user_id,
                                       method=WithdrawalMethod(data.method),
                                       amount=Money(data.amount_minor, data.currency), bank=bank, now=clock.now())
    return withdrawal_public(withdrawal)


@router.get("/affiliates/me/withdrawals", summary="My withdrawals", responses=problem_responses(401))
async def my_withdrawals(principal: CurrentPrincipal, session: ReadSessionDep) -> list[WithdrawalPublic]:
    """An affiliate. The caller's withdrawal requests, newest first, with method, amount and status (requested,
    approved, paid, rejected, or credited to the account balance)."""
    return [withdrawal_public(w) for w in await service.list_for(session, affiliate_id=principal.user_id)]


@router.get("/staff/withdrawals", summary="Staff: withdrawal requests, with the bank details to pay them",
            responses=problem_responses(401, 403, 422))
async def staff_withdrawals(_: StaffPrincipal, session: ReadSessionDep, box: BoxDep,
                            status: WithdrawalStatus | None = None, affiliate_id: uuid.UUID | None = None,
                            limit: PageSizeQuery = 100, offset: OffsetQuery = 0) -> list[WithdrawalStaff]:
    """Staff only. Withdrawal requests with the bank details to pay them, filtered by `status` and `affiliate_id`, paged
    with `limit` and `offset`. 422 on an unknown status."""
    rows = await service.list_for(session, status=status.value if status else None, affiliate_id=affiliate_id,
                                  limit=limit, offset=offset)
    return [WithdrawalStaff(**withdrawal_public(w).model_dump(), **service.bank_details(box, w)) for w in rows]


@router.post("/staff/withdrawals/{withdrawal_id}/approve",
             summary="Staff: the request was checked (account in the affiliate's name); the transfer is scheduled",
             responses=problem_responses(401, 403, 404, 409, 422))
async def approve(withdrawal_id: uuid.UUID, principal: StaffPrincipal, session: SessionDep,
                  clock: ClockDep) -> WithdrawalPublic:
    """Staff only. Records that a requested bank withdrawal was checked (the account is in the affiliate's own name) and
    the transfer is scheduled. Audited. 404 if there is no such withdrawal, 409 if it is not waiting for approval."""
    withdrawal = await service.approve(session=session, withdrawal_id=withdrawal_id, staff_id=principal.user_id,
                                       now=clock.now())
    return withdrawal_public(withdrawal)


@router.post("/staff/withdrawals/{withdrawal_id}/paid", summary="Staff: the transfer was made (its reference)",
             responses=problem_responses(401, 403, 404, 409, 422))
async def mark_paid(withdrawal_id: uuid.UUID, data: MarkPaid, principal: StaffPrincipal, session: SessionDep,
                    clock: ClockDep) -> WithdrawalPublic:
    """Staff only. Records that the bank transfer of a withdrawal was made, with its `transfer_reference`. Audited. 404
    if there is no such withdrawal, 409 if it is already paid or rejected, or was taken as credit; 422 without a
    reference."""
    withdrawal = await service.mark_paid(session=session, withdrawal_id=withdrawal_id,
                                         reference=data.transfer_reference, staff_id=principal.user_id,
                                         now=clock.now())
    return withdrawal_public(withdrawal)


@router.post("/staff/withdrawals/{withdrawal_id}/reject",
             summary="Staff: refuse a bank withdrawal (a reason); the amount returns to the balance",
             responses=problem_responses(401, 403, 404, 409, 422))
async def reject(withdrawal_id: uuid.UUID, data: Decision, principal: StaffPrincipal, session: SessionDep,
                 clock: ClockDep) -> WithdrawalPublic:
    """Staff only. Refuses a bank withdrawal that was not paid yet, with a `reason`; the amount returns to the
    affiliate's available balance. Audited. 404 if there is no such withdrawal, 409 if it was already paid or rejected,
    or was taken as credit."""
    withdrawal = await service.reject(session=session, withdrawal_id=withdrawal_id,
                                      reason=data.reason or "rejected by staff", staff_id=principal.user_id,
                                      now=clock.now())
    return withdrawal_public(withdrawal)

"""F-3: withdrawals. The amount leaves the available balance when requested (a ledger entry); a bank withdrawal
needs a verified identity (A-2), an account in the affiliate's own name, the currency's minimum, and is one per
calendar month; staff approve it (checked, transfer scheduled), mark it paid with the transfer reference, or reject
it (the amount comes back); each decision is audited. A
withdrawal as credit is applied at once: `AffiliateCreditWithdrawn` tells billing, which adds the credit once."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from abono.crypto import SecretBox
from abono.errors import Conflict, InvalidInput, NotFound
from abono.events import AffiliateCreditWithdrawn
from abono.messaging import emit
from abono.money import Money, MoneyModel
from affiliate import audit
from affiliate.clients.repository import ClientRepository
from affiliate.commissions.models import Bucket, EntryType
from affiliate.commissions.repository import LedgerRepository
from affiliate.config import AffiliateSettings
from affiliate.referrals.repository import ReferralRepository
from affiliate.referrals.rules import name_key
from affiliate.withdrawals.models import Withdrawal, WithdrawalMethod, WithdrawalStatus
from affiliate.withdrawals.repository import WithdrawalRepository


class IdentityNotVerified(Conflict):
    code, title = "identity-not-verified", "Identity not verified"


class MonthlyLimit(Conflict):
    code, title = "withdrawal-monthly-limit", "One withdrawal per month"


class InsufficientBalance(Conflict):
    code, title = "insufficient-balance", "Not enough available balance"


@dataclass(frozen=True)
class BankAccount:
    holder_name: str
    bank: str
    account: str  # CBU / CVU / IBAN / account number, as the affiliate wrote it


def month_of(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m")


async def _check_bank(session: AsyncSession, settings: AffiliateSettings, affiliate_id: uuid.UUID, amount: Money,
                      bank: BankAccount | None, month: str) -> BankAccount:
    if bank is None:
        raise InvalidInput("A bank withdrawal needs the bank account (holder name, bank, account).")
    client = await ClientRepository(session).get(affiliate_id)
    # F-3: identity verified, an account in the affiliate's own name, a minimum, one a calendar month.
    if client is None or client.verified_at is None or not client.legal_name:
        raise IdentityNotVerified("Verify your identity first: bank withdrawals need it.")
    if name_key(bank.holder_name) != name_key(client.legal_name):
        raise InvalidInput("The bank account must be in your own name, as on your verified identity.")
    minimum = settings.withdrawal_minimum_minor.get(amount.currency)
    if minimum is None:
        raise InvalidInput(f"Bank withdrawals in {amount.currency} are not offered.")
    if amount.amount_minor < minimum:
        raise InvalidInput(f"The minimum bank withdrawal is {Money(minimum, amount.currency)}.",
                           minimum=MoneyModel.of(Money(minimum, amount.currency)).model_dump())
    if await WithdrawalRepository(session).bank_request_in(affiliate_id, month) is not None:
        raise MonthlyLimit(f"You already asked for a bank withdrawal in {month}: one per calendar month.")
    return bank


async def request(*, session: AsyncSession, settings: AffiliateSettings, box: SecretBox, affiliate_id: uuid.UUID,
                  method: WithdrawalMethod, amount: Money, bank: BankAccount | None, now: datetime) -> Withdrawal:
    """F-3: withdraw `amount` of the available balance, to the bank or as credit."""
    if await ReferralRepository(session).affiliate(affiliate_id) is None:
        raise NotFound("Turn your affiliate account on first.")
    if amount.amount_minor <= 0:
        raise InvalidInput("A withdrawal must be a positive amount.")
    await WithdrawalRepository(session).lock_balance(affiliate_id)
    month = month_of(now, settings.calendar_timezone)
    withdrawal = Withdrawal(id=uuid.uuid4(), affiliate_id=affiliate_id, method=method.value,
                            amount_minor=amount.amount_minor, currency=amount.currency, month=month,
                            requested_at=now, status=WithdrawalStatus.REQUESTED.value)
    if method is WithdrawalMethod.BANK:
        account = await _check_bank(session, settings, affiliate_id, amount, bank, month)
        withdrawal.holder_name = account.holder_name
        withdrawal.bank_details_encrypted = box.encrypt(json.dumps({"bank": account.bank,
                                                                    "account": account.account}))
    else:
        client = await ClientRepository(session).get(affiliate_id)
        if client is None or client.currency != amount.currency:
            raise InvalidInput("Credit is added in your account's currency"
                               + (f" ({client.currency})." if client is not None else "."))
        withdrawal.status = WithdrawalStatus.CREDITED.value
    available = await LedgerRepository(session).available(affiliate_id, amount.currency)
    if amount > available:
        raise InsufficientBalance(f"Only {max(available, Money.zero(amount.currency))} is available.",
                                  available=MoneyModel.of(available).model_dump())
    try:
        async with session.begin_nested():  # a concurrent request of the same month loses on the unique index
            session.add(withdrawal)
            await session.flush()
    except IntegrityError:
        raise MonthlyLimit(f"You already asked for a bank withdrawal in {month}: one per calendar month.") from None
    await LedgerRepository(session).post(
        key=f"withdrawal:{withdrawal.id}", affiliate_id=affiliate_id, entry_type=EntryType.WITHDRAWAL,
        bucket=Bucket.AVAILABLE, amount=-amount, at=now, withdrawal_id=withdrawal.id,
        note=f"withdrawal ({method.value})")
    if method is WithdrawalMethod.CREDIT:
        await emit(session, AffiliateCreditWithdrawn(withdrawal_id=withdrawal.id, client_id=affiliate_id,
                                                     amount=MoneyModel.of(amount), occurred_at=now))
    return withdrawal


_OPEN = (WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED)


async def _open(session: AsyncSession, withdrawal_id: uuid.UUID, *allowed: WithdrawalStatus) -> Withdrawal:
    withdrawal = await WithdrawalRepository(session).get_for_update(withdrawal_id)
    if withdrawal is None:
        raise NotFound("No such withdrawal.")
    if withdrawal.status not in allowed:
        raise Conflict(f"This withdrawal is {withdrawal.status}: it cannot be decided that way now.")
    return withdrawal


async def _audit(session: AsyncSession, withdrawal: Withdrawal, *, action: str, staff_id: uuid.UUID, now: datetime,
                 **details: str) -> None:
    await audit.record(session, actor_id=staff_id, action=action, at=now, affiliate_id=withdrawal.affiliate_id,
                       withdrawal_id=str(withdrawal.id),
                       amount=str(Money(withdrawal.amount_minor, withdrawal.currency)), **details)


async def approve(*, session: AsyncSession, withdrawal_id: uuid.UUID, staff_id: uuid.UUID,
                  now: datetime) -> Withdrawal:
    """F-3: staff checked the request (the account is the affiliate's); the transfer is scheduled."""
    withdrawal = await _open(session, withdrawal_id, WithdrawalStatus.REQUESTED)
    withdrawal.status, withdrawal.decided_at, withdrawal.decided_by = WithdrawalStatus.APPROVED.value, now, staff_id
    await session.flush()
    await _audit(session, withdrawal, action="withdrawal_approve", staff_id=staff_id, now=now)
    return withdrawal


async def mark_paid(*, session: AsyncSession, withdrawal_id: uuid.UUID, reference: str, staff_id: uuid.UUID,
                    now: datetime) -> Withdrawal:
    """F-3: staff transferred the money; the reference is the bank transfer's."""
    withdrawal = await _open(session, withdrawal_id, *_OPEN)
    withdrawal.status, withdrawal.transfer_reference = WithdrawalStatus.PAID.value, reference
    withdrawal.decided_at, withdrawal.decided_by = now, staff_id
    await session.flush()
    await _audit(session, withdrawal, action="withdrawal_paid", staff_id=staff_id, now=now,
                 transfer_reference=reference)
    return withdrawal


async def reject(*, session: AsyncSession, withdrawal_id: uuid.UUID, reason: str, staff_id: uuid.UUID,
                 now: datetime) -> Withdrawal:
    """Staff refuse a bank withdrawal (e.g. the account is not the affiliate's): the amount comes back."""
    withdrawal = await _open(session, withdrawal_id, *_OPEN)
    withdrawal.status, withdrawal.reject_reason = WithdrawalStatus.REJECTED.value, reason
    withdrawal.decided_at, withdrawal.decided_by = now, staff_id
    await _audit(session, withdrawal, action="withdrawal_reject", staff_id=staff_id, now=now, reason=reason)
    await LedgerRepository(session).post(
        key=f"withdrawal_returned:{withdrawal.id}", affiliate_id=withdrawal.affiliate_id,
        entry_type=EntryType.WITHDRAWAL_RETURNED, bucket=Bucket.AVAILABLE,
        amount=Money(withdrawal.amount_minor, withdrawal.currency), at=now, withdrawal_id=withdrawal.id,
        note=f"withdrawal rejected: {reason}")
    await session.flush()
    return withdrawal


def bank_details(box: SecretBox, withdrawal: Withdrawal) -> dict[str, str]:
    if withdrawal.bank_details_encrypted is None:
        return {}
    details: dict[str, str] = json.loads(box.decrypt(withdrawal.bank_details_encrypted))
    return details


async def list_for(session: AsyncSession, *, affiliate_id: uuid.UUID | None = None, status: str | None = None,
                   limit: int = 100, offset: int = 0) -> list[Withdrawal]:
    return await WithdrawalRepository(session).listed(affiliate_id=affiliate_id, status=status, limit=limit,
                                                      offset=offset)

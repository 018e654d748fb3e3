import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from affiliate.withdrawals.models import Withdrawal, WithdrawalMethod, WithdrawalStatus


class WithdrawalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_balance(self, affiliate_id: uuid.UUID) -> None:
        """Serialise an affiliate's withdrawals until the transaction ends: two at once never spend one balance
        (a 64-bit key, as billing's locks: with `hashtext`'s 32 bits, unrelated affiliates could share one)."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                                   {"key": f"affiliate-balance:{affiliate_id}"})

    async def get_for_update(self, withdrawal_id: uuid.UUID) -> Withdrawal | None:
        return await self.session.get(Withdrawal, withdrawal_id, with_for_update=True)

    async def bank_request_in(self, affiliate_id: uuid.UUID, month: str) -> uuid.UUID | None:
        """F-3: the affiliate's bank request of that calendar month that counts (not a rejected one)."""
        return await self.session.scalar(select(Withdrawal.id).where(
            Withdrawal.affiliate_id == affiliate_id, Withdrawal.method == WithdrawalMethod.BANK.value,
            Withdrawal.month == month, Withdrawal.status != WithdrawalStatus.REJECTED.value))

    async def listed(self, *, affiliate_id: uuid.UUID | None = None, status: str | None = None, limit: int = 100,
                     offset: int = 0) -> list[Withdrawal]:
        query = select(Withdrawal)
        if affiliate_id is not None:
            query = query.where(Withdrawal.affiliate_id == affiliate_id)
        if status is not None:
            query = query.where(Withdrawal.status == status)
        return list(await self.session.scalars(query.order_by(Withdrawal.requested_at.desc(), Withdrawal.id)
                                               .limit(limit).offset(offset)))

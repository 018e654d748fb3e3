"""B-10: the client's credit balance, a ledger; every change holds the client's credit lock."""

import uuid
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from abono.money import Money
from billing.payments.models import CreditEntry


async def lock_credit(session: AsyncSession, client_id: uuid.UUID) -> None:
    """Serialise credit changes of one client until the transaction ends."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"credit:{client_id}"})


async def balance(session: AsyncSession, client_id: uuid.UUID, currency: str) -> Money:
    total = await session.scalar(select(func.coalesce(func.sum(CreditEntry.amount_minor), 0)).where(
        CreditEntry.client_id == client_id, CreditEntry.currency == currency))
    return Money(int(total or 0), currency)


async def balances(session: AsyncSession, client_id: uuid.UUID) -> list[Money]:
    rows = await session.execute(
        select(CreditEntry.currency, func.sum(CreditEntry.amount_minor)).where(CreditEntry.client_id == client_id)
        .group_by(CreditEntry.currency).order_by(CreditEntry.currency))
    return [Money(int(amount), currency) for currency, amount in rows]


async def add_entry(session: AsyncSession, *, client_id: uuid.UUID, amount: Money, reason: str, at: datetime,
                    invoice_id: uuid.UUID | None = None, payment_id: uuid.UUID | None = None) -> None:
    session.add(CreditEntry(client_id=client_id, currency=amount.currency, amount_minor=amount.amount_minor,
                            reason=reason, invoice_id=invoice_id, payment_id=payment_id, created_at=at))
    await session.flush()

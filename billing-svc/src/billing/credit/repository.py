"""B-10: the credit ledger's queries; every change of a client's balance holds its credit lock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Uuid, any_, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.money import Money
from billing import locks
from billing.clients.models import Client
from billing.credit.models import CreditEntry, SlaCreditApplied
from billing.locks import LockKind

# A client's balance in one currency, built once (every payment reads it under the credit lock).
_BALANCE = select(func.coalesce(func.sum(CreditEntry.amount_minor), 0)).where(
    CreditEntry.client_id == bindparam("balance_client"), CreditEntry.currency == bindparam("balance_currency"))
# The same with the client's row (issue 20): a payment's referral check (F-4, `reward_referrer`) is given the client
# instead of reading it in a round trip of its own after the settlement.
_BALANCE_AND_CLIENT = select(Client, _BALANCE.scalar_subquery()).where(Client.id == bindparam("balance_client"))


class CreditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, client_id: uuid.UUID) -> None:
        """Serialise credit changes of one client until the transaction ends."""
        await locks.hold(self.session, LockKind.CREDIT, client_id)

    async def lock_many(self, client_ids: Sequence[uuid.UUID]) -> None:
        """`lock` for several clients in one statement (in the order given)."""
        await locks.hold_each(self.session, LockKind.CREDIT, client_ids)

    async def balance(self, client_id: uuid.UUID, currency: str) -> Money:
        total = await self.session.scalar(_BALANCE, {"balance_client": client_id, "balance_currency": currency})
        return Money(int(total or 0), currency)

    async def balance_and_client(self, client_id: uuid.UUID, currency: str) -> tuple[Money, Client | None]:
        """`balance` and the client (None if billing has no such client), in one statement."""
        row = (await self.session.execute(_BALANCE_AND_CLIENT, {"balance_client": client_id,
                                                                 "balance_currency": currency})).first()
        if row is None:  # no such client here: the balance alone
            return await self.balance(client_id, currency), None
        return Money(int(row[1] or 0), currency), row[0]

    async def balances(self, client_id: uuid.UUID) -> list[Money]:
        rows = await self.session.execute(
            select(CreditEntry.currency, func.sum(CreditEntry.amount_minor)).where(CreditEntry.client_id == client_id)
            .group_by(CreditEntry.currency).order_by(CreditEntry.currency))
        return [Money(int(amount), currency) for currency, amount in rows]

    async def movements(self, client_id: uuid.UUID, *, limit: int, before: int | None) -> list[CreditEntry]:
        """The client's ledger entries, newest first, `limit` of them older than entry `before` (keyset paging)."""
        stmt = select(CreditEntry).where(CreditEntry.client_id == client_id)
        if before is not None:
            stmt = stmt.where(CreditEntry.id < before)
        return list(await self.session.scalars(stmt.order_by(CreditEntry.id.desc()).limit(limit)))

    async def positive_balances(self, client_ids: Sequence[uuid.UUID]) -> dict[tuple[uuid.UUID, str], int]:
        """The clients' positive balances by (client, currency), in one statement."""
        ids: Any = literal(list(client_ids), ARRAY(Uuid))
        rows = await self.session.execute(
            select(CreditEntry.client_id, CreditEntry.currency, func.sum(CreditEntry.amount_minor))
            .where(CreditEntry.client_id == any_(ids))
            .group_by(CreditEntry.client_id, CreditEntry.currency).having(func.sum(CreditEntry.amount_minor) > 0))
        return {(client_id, currency): int(amount) for client_id, currency, amount in rows}

    async def add(self, *, client_id: uuid.UUID, amount: Money, reason: str, at: datetime,
                  invoice_id: uuid.UUID | None = None, payment_id: uuid.UUID | None = None) -> None:
        self.session.add(CreditEntry(client_id=client_id, currency=amount.currency, amount_minor=amount.amount_minor,
                                     reason=reason, invoice_id=invoice_id, payment_id=payment_id, created_at=at))
        await self.session.flush()

    async def sla_credits_of(self, client_id: uuid.UUID, *, limit: int = 24) -> list[SlaCreditApplied]:
        """A client's SLA credits (S-4), newest month first: the credit page shows them among its movements."""
        return list(await self.session.scalars(
            select(SlaCreditApplied).where(SlaCreditApplied.client_id == client_id)
            .order_by(SlaCreditApplied.month.desc(), SlaCreditApplied.service_id).limit(limit)))

    async def sla_credit_once(self, row: SlaCreditApplied) -> bool:
        """Record a service's SLA credit for a month (S-4): False if that service and month already have one."""
        columns = {c.key: getattr(row, c.key) for c in SlaCreditApplied.__table__.columns}
        inserted = await self.session.execute(insert(SlaCreditApplied).values(**columns).on_conflict_do_nothing(
            index_elements=[SlaCreditApplied.service_id, SlaCreditApplied.month]).returning(SlaCreditApplied.month))
        return inserted.first() is not None

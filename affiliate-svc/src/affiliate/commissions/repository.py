import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from abono.money import Money
from affiliate.commissions.models import Bucket, EntryType, InvoiceReversal, LedgerEntry, PaidInvoice


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def post(self, *, key: str, affiliate_id: uuid.UUID, entry_type: EntryType, bucket: Bucket,
                   amount: Money, at: datetime, **fields: Any) -> uuid.UUID | None:
        """Append one entry; None (nothing written) when its key was posted before."""
        entry_id = uuid.uuid4()
        inserted = await self.session.execute(insert(LedgerEntry).values(
            id=entry_id, key=key, affiliate_id=affiliate_id, entry_type=entry_type.value, bucket=bucket.value,
            amount_minor=amount.amount_minor, currency=amount.currency, created_at=at, **fields,
        ).on_conflict_do_nothing(index_elements=[LedgerEntry.key]).returning(LedgerEntry.id))
        return entry_id if inserted.first() is not None else None

    async def commission_of_invoice(self, invoice_id: uuid.UUID) -> LedgerEntry | None:
        """The invoice's commission, locked: maturing and reversing it are serialised."""
        return await self.session.scalar(select(LedgerEntry).where(
            LedgerEntry.invoice_id == invoice_id, LedgerEntry.entry_type == EntryType.COMMISSION.value,
        ).with_for_update())

    async def commissions_of_client(self, client_id: uuid.UUID) -> list[LedgerEntry]:
        return list(await self.session.scalars(select(LedgerEntry).where(
            LedgerEntry.referred_client_id == client_id, LedgerEntry.entry_type == EntryType.COMMISSION.value,
        ).order_by(LedgerEntry.created_at).with_for_update()))

    async def reversed_of(self, commission: LedgerEntry) -> Money:
        total = await self.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
            LedgerEntry.commission_id == commission.id, LedgerEntry.entry_type == EntryType.REVERSAL.value))
        return Money(-int(total or 0), commission.currency)

    async def is_matured(self, commission: LedgerEntry) -> bool:
        return bool(await self.session.scalar(select(exists().where(
            LedgerEntry.commission_id == commission.id, LedgerEntry.entry_type == EntryType.MATURATION.value))))

    async def due_for_maturing(self, now: datetime, limit: int) -> list[LedgerEntry]:
        """Commissions whose holding period is over and that have not matured: claimed (replicas skip them)."""
        later = aliased(LedgerEntry)
        return list(await self.session.scalars(select(LedgerEntry).where(
            LedgerEntry.entry_type == EntryType.COMMISSION.value, LedgerEntry.matures_at <= now,
            ~exists().where(and_(later.commission_id == LedgerEntry.id,
                                 later.entry_type == EntryType.MATURATION.value)),
        ).order_by(LedgerEntry.matures_at).limit(limit).with_for_update(skip_locked=True)))

    async def balances(self, affiliate_id: uuid.UUID, *, before: datetime | None = None
                       ) -> dict[str, dict[str, int]]:
        """{currency: {"pending": minor, "available": minor}}: sums of the entries (before an instant if given)."""
        query = select(LedgerEntry.currency, LedgerEntry.bucket, func.sum(LedgerEntry.amount_minor)).where(
            LedgerEntry.affiliate_id == affiliate_id)
        if before is not None:
            query = query.where(LedgerEntry.created_at < before)
        rows = await self.session.execute(query.group_by(LedgerEntry.currency, LedgerEntry.bucket))
        result: dict[str, dict[str, int]] = {}
        for currency, bucket, total in rows:
            result.setdefault(currency, {"pending": 0, "available": 0})[bucket] = int(total)
        return result

    async def available(self, affiliate_id: uuid.UUID, currency: str) -> Money:
        total = await self.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
            LedgerEntry.affiliate_id == affiliate_id, LedgerEntry.currency == currency,
            LedgerEntry.bucket == Bucket.AVAILABLE.value))
        return Money(int(total or 0), currency)

    async def entries(self, affiliate_id: uuid.UUID, *, since: datetime | None = None,
                      until: datetime | None = None, limit: int = 1000, offset: int = 0) -> list[LedgerEntry]:
        query = select(LedgerEntry).where(LedgerEntry.affiliate_id == affiliate_id)
        if since is not None:
            query = query.where(LedgerEntry.created_at >= since)
        if until is not None:
            query = query.where(LedgerEntry.created_at < until)
        return list(await self.session.scalars(
            query.order_by(LedgerEntry.created_at.desc(), LedgerEntry.key).limit(limit).offset(offset)))

    async def commission_states(self, commission_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[bool, int]]:
        """For each commission: (matured, minor units reversed so far)."""
        if not commission_ids:
            return {}
        rows = await self.session.execute(select(
            LedgerEntry.commission_id,
            func.bool_or(LedgerEntry.entry_type == EntryType.MATURATION.value),
            func.coalesce(func.sum(LedgerEntry.amount_minor).filter(
                LedgerEntry.entry_type == EntryType.REVERSAL.value), 0),
        ).where(LedgerEntry.commission_id.in_(commission_ids)).group_by(LedgerEntry.commission_id))
        return {cid: (bool(matured), -int(reversed_)) for cid, matured, reversed_ in rows}

    async def monthly_commissions(self, affiliate_id: uuid.UUID, tz: str) -> list[tuple[str, str, int]]:
        """(YYYY-MM, currency, net minor units earned): commissions less their reversals, by the month earned."""
        month = func.to_char(func.timezone(tz, LedgerEntry.created_at), "YYYY-MM")
        rows = await self.session.execute(select(month, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
                                          .where(LedgerEntry.affiliate_id == affiliate_id,
                                                 LedgerEntry.entry_type.in_([EntryType.COMMISSION.value,
                                                                             EntryType.REVERSAL.value]))
                                          .group_by(month, LedgerEntry.currency).order_by(month))
        return [(str(m), str(c), int(t)) for m, c, t in rows]

    async def conversions(self, affiliate_id: uuid.UUID) -> int:
        """Referred clients who earned the affiliate at least one commission."""
        count = await self.session.scalar(select(func.count(func.distinct(LedgerEntry.referred_client_id))).where(
            LedgerEntry.affiliate_id == affiliate_id, LedgerEntry.entry_type == EntryType.COMMISSION.value))
        return int(count or 0)

    async def converted_clients(self, affiliate_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.session.scalars(select(LedgerEntry.referred_client_id).where(
            LedgerEntry.affiliate_id == affiliate_id, LedgerEntry.entry_type == EntryType.COMMISSION.value))
        return {r for r in rows if r is not None}

    async def has_key(self, key: str) -> bool:
        return await self.session.scalar(select(LedgerEntry.id).where(LedgerEntry.key == key)) is not None

    async def keep_paid_invoice(self, **values: Any) -> PaidInvoice:
        """A referred client's paid invoice, once (a redelivery finds the first)."""
        await self.session.execute(insert(PaidInvoice).values(**values)
                                   .on_conflict_do_nothing(index_elements=[PaidInvoice.invoice_id]))
        paid = await self.session.get(PaidInvoice, values["invoice_id"])
        assert paid is not None
        return paid

    async def paid_invoices_of(self, client_id: uuid.UUID) -> list[PaidInvoice]:
        return list(await self.session.scalars(select(PaidInvoice).where(PaidInvoice.client_id == client_id)
                                               .order_by(PaidInvoice.paid_at)))

    async def keep_reversal(self, **values: Any) -> None:
        """A refund or chargeback as received, once per key."""
        await self.session.execute(insert(InvoiceReversal).values(**values)
                                   .on_conflict_do_nothing(index_elements=[InvoiceReversal.key]))

    async def reversals_of(self, invoice_id: uuid.UUID) -> list[InvoiceReversal]:
        return list(await self.session.scalars(select(InvoiceReversal).where(InvoiceReversal.invoice_id == invoice_id)
                                               .order_by(InvoiceReversal.received_at, InvoiceReversal.key)))

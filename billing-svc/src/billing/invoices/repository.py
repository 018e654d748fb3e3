import secrets
import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ARRAY, Uuid, any_, delete, exists, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.invoices.models import BillingPeriod, DunningStep, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus

# No 0/O, 1/I/L: a reference read aloud or typed from a cash coupon is not mistaken.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SETTLED = [InvoiceStatus.PAID.value, InvoiceStatus.WAIVED.value, InvoiceStatus.REFUNDED.value]


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self, prefix: str) -> str:
        value = await self.session.scalar(text("SELECT nextval('invoice_number_seq')"))
        return f"{prefix}-{int(value or 0):08d}"

    @staticmethod
    def new_payment_reference(length: int) -> str:
        """B-19: unique (a database constraint) and unguessable."""
        return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(length))

    async def next_numbers(self, prefix: str, count: int) -> list[str]:
        """`count` invoice numbers reserved in one round trip, in increasing order."""
        values = await self.session.scalars(
            text("SELECT nextval('invoice_number_seq') FROM generate_series(1, :n)"), {"n": count})
        return [f"{prefix}-{value:08d}" for value in sorted(int(v) for v in values)]

    @staticmethod
    def new_payment_references(length: int, count: int) -> list[str]:
        """`count` distinct B-19 references, drawn like `new_payment_reference` (one big random number each)."""
        base, space = len(_REFERENCE_ALPHABET), len(_REFERENCE_ALPHABET) ** length
        found: dict[str, None] = {}
        while len(found) < count:
            value = secrets.randbelow(space)
            chars = []
            for _ in range(length):
                value, digit = divmod(value, base)
                chars.append(_REFERENCE_ALPHABET[digit])
            found["".join(chars)] = None
        return list(found)

    async def add(self, invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
        self.session.add(invoice)
        await self.session.flush()
        self.session.add_all(lines)
        await self.session.flush()

    async def get(self, invoice_id: uuid.UUID, *, for_update: bool = False,
                  skip_locked: bool = False) -> Invoice | None:
        stmt = select(Invoice).where(Invoice.id == invoice_id)
        if for_update:
            stmt = stmt.with_for_update(skip_locked=skip_locked)
        return await self.session.scalar(stmt)

    async def by_reference(self, payment_reference: str) -> Invoice | None:
        return await self.session.scalar(select(Invoice).where(Invoice.payment_reference == payment_reference))

    async def numbers(self, client_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The numbers of those of `invoice_ids` that are the client's, by id."""
        if not invoice_ids:
            return {}
        rows = await self.session.execute(select(Invoice.id, Invoice.number).where(
            Invoice.client_id == client_id, Invoice.id == any_(literal(list(invoice_ids), ARRAY(Uuid)))))
        return {invoice_id: number for invoice_id, number in rows}

    async def has_settled(self, client_id: uuid.UUID) -> bool:
        """Whether an invoice of the client was ever settled (paid, waived or refunded)."""
        return bool(await self.session.scalar(select(exists().where(
            Invoice.client_id == client_id, Invoice.status.in_(SETTLED)))))

    async def lines(self, invoice_id: uuid.UUID) -> list[InvoiceLine]:
        return list(await self.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.position)))

    async def for_client(self, client_id: uuid.UUID) -> list[Invoice]:
        return list(await self.session.scalars(
            select(Invoice).where(Invoice.client_id == client_id).order_by(Invoice.issued_at.desc(), Invoice.number)))

    async def search(self, *, client_id: uuid.UUID | None, status: str | None, number: str | None,
                     limit: int) -> list[Invoice]:
        stmt = select(Invoice).order_by(Invoice.issued_at.desc()).limit(limit)
        if client_id is not None:
            stmt = stmt.where(Invoice.client_id == client_id)
        if status is not None:
            stmt = stmt.where(Invoice.status == status)
        if number is not None:
            stmt = stmt.where(Invoice.number == number)
        return list(await self.session.scalars(stmt))

    async def has_overdue(self, client_id: uuid.UUID, today: date) -> bool:
        """Whether the client has an unpaid invoice past its due date (an unpaid upgrade is no debt, B-14)."""
        return bool(await self.session.scalar(select(exists().where(
            Invoice.client_id == client_id, Invoice.status == InvoiceStatus.UNPAID, Invoice.due_on < today,
            Invoice.kind != InvoiceKind.UPGRADE))))

    async def unpaid_for_client(self, client_id: uuid.UUID) -> list[Invoice]:
        return list(await self.session.scalars(select(Invoice).where(
            Invoice.client_id == client_id, Invoice.status == InvoiceStatus.UNPAID).order_by(Invoice.due_on)))

    async def settled_periods(self, service_id: uuid.UUID, ending_after: date) -> list[InvoiceLine]:
        """The service's paid (or waived) periods that end after `ending_after`, oldest first."""
        return list(await self.session.scalars(
            select(InvoiceLine).join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(
                InvoiceLine.kind == "service", literal(service_id) == any_(InvoiceLine.service_ids),
                Invoice.status.in_([InvoiceStatus.PAID, InvoiceStatus.WAIVED]),
                InvoiceLine.period_start_on.is_not(None), InvoiceLine.period_end_on > ending_after,
            ).order_by(InvoiceLine.period_start_on)))

    async def claim_periods(self, invoice_id: uuid.UUID, periods: Sequence[tuple[uuid.UUID, date]]) -> set[uuid.UUID]:
        """B-2: record (subscription, period) → invoice; returns the subscriptions whose period was still free."""
        if not periods:
            return set()
        result = await self.session.execute(
            insert(BillingPeriod).values([
                {"subscription_id": sub, "period_start_on": start, "invoice_id": invoice_id} for sub, start in periods
            ]).on_conflict_do_nothing().returning(BillingPeriod.subscription_id)
        )
        return set(result.scalars())

    async def release_periods(self, invoice_id: uuid.UUID) -> None:
        """A cancelled invoice frees its periods, so a re-issue may claim them (B-9, B-11)."""
        await self.session.execute(delete(BillingPeriod).where(BillingPeriod.invoice_id == invoice_id))

    async def record_step(self, invoice_id: uuid.UUID, step: str, at: datetime) -> bool:
        """Record a dunning step once; True only for the caller that recorded it (B-3..B-6)."""
        result = await self.session.execute(
            insert(DunningStep).values(invoice_id=invoice_id, step=step, done_at=at)
            .on_conflict_do_nothing().returning(DunningStep.step))
        return result.first() is not None


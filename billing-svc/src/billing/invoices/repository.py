import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ARRAY, Uuid, any_, bindparam, delete, exists, func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.invoices.models import BillingPeriod, DunningStep, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus

# No 0/O, 1/I/L: a reference read aloud or typed from a cash coupon is not mistaken.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SETTLED = [InvoiceStatus.PAID.value, InvoiceStatus.WAIVED.value, InvoiceStatus.REFUNDED.value]

# B-7/B-14 in one round trip: the invoice marked settled, its lines with their products' kinds, and whether another
# invoice of the client is still overdue (as `has_overdue`). The SELECT reads the snapshot from before the UPDATE, so
# the invoice being settled is left out of "overdue" by its id (it is the only row the UPDATE changes). A LEFT JOIN
# from one row: an invoice without lines still answers (one row of NULLs).
_SETTLE = text("""
WITH settled AS (
    UPDATE invoices SET status = :status, settled_at = :at, paid_method = :method WHERE id = :invoice_id
    RETURNING id
)
SELECT (SELECT count(*) FROM settled) AS settled,
       EXISTS (SELECT FROM invoices o WHERE o.client_id = :client_id AND o.id <> :invoice_id
               AND o.status = 'unpaid' AND o.due_on < :today AND o.kind <> 'upgrade') AS overdue,
       l.kind, l.description, l.amount_minor, l.service_ids, l.cycle, l.period_end_on, p.kind AS product_kind
FROM (SELECT) AS one
LEFT JOIN (invoice_lines l LEFT JOIN products p ON p.id = l.product_id) ON l.invoice_id = :invoice_id
ORDER BY l.position""")


_BY_ID = select(Invoice).where(Invoice.id == bindparam("invoice_id"))  # built once: a payment's first statement
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()


@dataclass(frozen=True, slots=True)
class SettledLine:
    """What `InvoicePaid` and `InvoiceSettled` need of a settled invoice's line."""

    kind: str
    description: str
    amount_minor: int
    service_ids: list[uuid.UUID]
    cycle: str | None
    period_end_on: date | None
    product_kind: str | None  # the line's product's catalog kind (C-1); None without a product


@dataclass(frozen=True, slots=True)
class Settled:
    lines: list[SettledLine]
    client_has_overdue: bool  # another invoice of the client is unpaid past its due date (not an upgrade: B-14)


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
        if not for_update or not skip_locked:
            return await self.session.scalar(_BY_ID_FOR_UPDATE if for_update else _BY_ID, {"invoice_id": invoice_id})
        return await self.session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update(
            skip_locked=True))

    async def by_ids(self, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Invoice]:
        """The invoices of `invoice_ids` (those that exist), by id, in one statement."""
        if not invoice_ids:
            return {}
        found = await self.session.scalars(select(Invoice).where(Invoice.id.in_(set(invoice_ids))))
        return {invoice.id: invoice for invoice in found}

    async def by_reference(self, payment_reference: str, *, for_update: bool = False) -> Invoice | None:
        stmt = select(Invoice).where(Invoice.payment_reference == payment_reference)
        return await self.session.scalar(stmt.with_for_update() if for_update else stmt)

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

    async def mark_settled(self, *, invoice_id: uuid.UUID, client_id: uuid.UUID, status: str, at: datetime,
                           method: str, today: date) -> Settled:
        """Mark the invoice settled (`status`: paid or waived) and read what follows from it, in one statement:
        its lines (by position) and `has_overdue(client_id, today)` as it is once this invoice is settled."""
        rows = (await self.session.execute(_SETTLE, {
            "invoice_id": invoice_id, "client_id": client_id, "status": status, "at": at, "method": method,
            "today": today})).all()
        if not rows or rows[0].settled != 1:
            raise LookupError(f"invoice {invoice_id} was not there to settle")
        lines = [SettledLine(kind=r.kind, description=r.description, amount_minor=r.amount_minor,
                             service_ids=list(r.service_ids or ()), cycle=r.cycle, period_end_on=r.period_end_on,
                             product_kind=r.product_kind) for r in rows if r.kind is not None]
        return Settled(lines=lines, client_has_overdue=bool(rows[0].overdue))

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
        """A cancelled invoice frees its periods, so a re-issue may claim them (B-9, B-11). Every claim an invoice
        makes is of a service on one of its lines (orders, quotes, re-issues, the renewal run), so they are found by
        the lines' services and the claims' primary key (`billing_periods` has no index by invoice)."""
        services = select(func.unnest(InvoiceLine.service_ids)).where(InvoiceLine.invoice_id == invoice_id)
        await self.session.execute(delete(BillingPeriod).where(
            BillingPeriod.subscription_id.in_(services), BillingPeriod.invoice_id == invoice_id))

    async def record_step(self, invoice_id: uuid.UUID, step: str, at: datetime) -> bool:
        """Record a dunning step once; True only for the caller that recorded it (B-3..B-6)."""
        result = await self.session.execute(
            insert(DunningStep).values(invoice_id=invoice_id, step=step, done_at=at)
            .on_conflict_do_nothing().returning(DunningStep.step))
        return result.first() is not None


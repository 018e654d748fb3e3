"""The console's queries (indexes: migration 0008)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import search_pattern
from billing.audit.models import AuditEntry
from billing.credit.models import CreditEntry
from billing.invoices.models import Invoice, InvoiceKind, InvoiceStatus
from billing.payments.models import Payment, TransferReport


@dataclass(frozen=True, slots=True)
class InvoiceFilters:
    q: str | None = None
    status: str | None = None
    currency: str | None = None
    method: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    client_id: uuid.UUID | None = None


MIN_SUBSTRING = 3  # pg_trgm's trigrams: a shorter query is looked up as an amount only
# What an invoice number (`A-00001042`) or a payment reference looks like: letters, digits, dashes, a digit among them.
_WHOLE_CODE = re.compile(r"(?=[A-Z0-9-]*[0-9])[A-Z0-9][A-Z0-9-]{5,39}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _amounts(text: str) -> set[int]:
    """The minor amounts a typed figure may mean ("1.234,50", "1234.5", "15000"): two decimals, or none (CLP)."""
    cleaned = re.sub(r"[^0-9.,]", "", text)
    if not cleaned or not re.fullmatch(r"[0-9.,]*[0-9]", text.strip().lstrip("$").strip()):
        return set()
    if "," in cleaned and "." in cleaned:  # the last separator is the decimal one
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if decimal_sep == "," else ",", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return set()
    found = {int(value * 100)}
    if value == value.to_integral_value():
        found.add(int(value))
    return {a for a in found if a < 10**14}


def _search(q: str) -> Any:
    """An invoice whose number or payment reference contains `q`, whose total is the figure typed, or that a
    transfer report quoting `q` is for: each way by its own index (the trigram indexes of the exact expressions,
    `ix_invoices_total_minor`), their invoice ids united; an `OR` of them, with the transfer reports' `EXISTS`, could
    only be answered by reading every invoice. One or two characters are only an amount: no trigram to look a
    substring up by (every invoice was read)."""
    text = q.strip()
    ways: list[Select[Any]] = []
    if len(text) >= MIN_SUBSTRING:
        pattern = search_pattern(f"%{_escape_like(text.upper())}%")
        ways += [
            select(Invoice.id).where(Invoice.payment_reference.like(pattern)),
            select(Invoice.id).where(Invoice.number.like(pattern)),
            select(TransferReport.invoice_id).where(func.upper(TransferReport.reference).like(pattern)),
        ]
    if amounts := _amounts(text):
        ways.append(select(Invoice.id).where(Invoice.total_minor.in_(sorted(amounts))))
    if not ways:
        return false()
    return Invoice.id.in_(union(*ways))


class ConsoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _invoices(filters: InvoiceFilters) -> Select[Invoice]:
        stmt = select(Invoice)
        if filters.q:
            stmt = stmt.where(_search(filters.q))
        if filters.status:
            stmt = stmt.where(Invoice.status == filters.status)
        if filters.currency:
            stmt = stmt.where(Invoice.currency == filters.currency)
        if filters.method:
            stmt = stmt.where(
                or_(
                    Invoice.paid_method == filters.method,
                    and_(Invoice.paid_method.is_(None), Invoice.payment_method == filters.method),
                )
            )
        if filters.due_from:
            stmt = stmt.where(Invoice.due_on >= filters.due_from)
        if filters.due_to:
            stmt = stmt.where(Invoice.due_on <= filters.due_to)
        if filters.client_id:
            stmt = stmt.where(Invoice.client_id == filters.client_id)
        return stmt

    async def invoices(self, filters: InvoiceFilters, *, limit: int, offset: int = 0) -> list[Invoice]:
        order = (Invoice.issued_at.desc(), Invoice.number.desc())
        if filters.q and offset == 0 and (whole := _WHOLE_CODE.fullmatch(filters.q.strip().upper())):
            # An invoice number or payment reference typed whole names one invoice: its unique index answers, and
            # the substring matches run only when no invoice has it.
            code = whole.group(0)
            named = self._invoices(replace(filters, q=None)).where(
                or_(Invoice.number == code, Invoice.payment_reference == code)
            )
            if found := list(await self.session.scalars(named.order_by(*order).limit(limit))):
                return found
        stmt = self._invoices(filters).order_by(*order)
        return list(await self.session.scalars(stmt.limit(limit).offset(offset)))

    async def waiting_transfers(self, *, limit: int) -> list[tuple[TransferReport, Invoice]]:
        """B-19: reports whose invoice is still unpaid, oldest first (the longest wait on top)."""
        rows = await self.session.execute(
            select(TransferReport, Invoice)
            .join(Invoice, Invoice.id == TransferReport.invoice_id)
            .where(Invoice.status == InvoiceStatus.UNPAID)
            .order_by(TransferReport.reported_at)
            .limit(limit)
        )
        return [(r, i) for r, i in rows]

    async def payments(self, client_id: uuid.UUID, *, limit: int) -> list[tuple[Payment, str]]:
        rows = await self.session.execute(
            select(Payment, Invoice.number)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(Payment.client_id == client_id)
            .order_by(Payment.received_at.desc())
            .limit(limit)
        )
        return [(p, n) for p, n in rows]

    async def credit_entries(self, client_id: uuid.UUID, *, limit: int) -> list[CreditEntry]:
        return list(
            await self.session.scalars(
                select(CreditEntry)
                .where(CreditEntry.client_id == client_id)
                .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())
                .limit(limit)
            )
        )

    async def transfer_reports(self, client_id: uuid.UUID, *, limit: int) -> list[tuple[TransferReport, Invoice]]:
        rows = await self.session.execute(
            select(TransferReport, Invoice)
            .join(Invoice, Invoice.id == TransferReport.invoice_id)
            .where(TransferReport.client_id == client_id)
            .order_by(TransferReport.reported_at.desc())
            .limit(limit)
        )
        return [(r, i) for r, i in rows]

    async def audit(self, client_id: uuid.UUID, *, limit: int) -> list[AuditEntry]:
        """Staff actions on the client itself or on one of its invoices."""
        on_invoice = and_(
            AuditEntry.target_type == "invoice",
            AuditEntry.target_id.in_(select(Invoice.id).where(Invoice.client_id == client_id)),
        )
        on_client = and_(AuditEntry.target_type == "client", AuditEntry.target_id == client_id)
        return list(
            await self.session.scalars(
                select(AuditEntry).where(or_(on_client, on_invoice)).order_by(AuditEntry.at.desc()).limit(limit)
            )
        )

    async def count_waiting_transfers(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count(func.distinct(TransferReport.invoice_id)))
                .join(Invoice, Invoice.id == TransferReport.invoice_id)
                .where(Invoice.status == InvoiceStatus.UNPAID)
            )
            or 0
        )

    async def unpaid_due_between(self, start: date, end: date) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Invoice)
                .where(
                    Invoice.status == InvoiceStatus.UNPAID,
                    Invoice.kind != InvoiceKind.UPGRADE,
                    Invoice.due_on >= start,
                    Invoice.due_on <= end,
                )
            )
            or 0
        )

    async def monthly(self, since: datetime, timezone: str) -> tuple[Sequence[Any], Sequence[Any]]:
        """Per local month and currency since `since`: invoiced (issued, not cancelled: subtotal less discounts)
        and collected (payments received)."""
        month = func.to_char(func.timezone(timezone, Invoice.issued_at), "YYYY-MM")
        invoiced = (
            await self.session.execute(
                select(month, Invoice.currency, func.sum(Invoice.subtotal_minor - Invoice.discount_minor))
                .where(Invoice.issued_at >= since, Invoice.status != InvoiceStatus.CANCELLED)
                .group_by(month, Invoice.currency)
            )
        ).all()
        paid_month = func.to_char(func.timezone(timezone, Payment.received_at), "YYYY-MM")
        collected = (
            await self.session.execute(
                select(paid_month, Payment.currency, func.sum(Payment.amount_minor))
                .where(Payment.received_at >= since)
                .group_by(paid_month, Payment.currency)
            )
        ).all()
        return invoiced, collected

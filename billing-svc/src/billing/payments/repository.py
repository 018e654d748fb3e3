"""Payments' queries: money received, payment attempts, reported transfers, provider refunds, stored provider
events and chargebacks. Inserts that must happen once are insert-on-conflict-do-nothing and say whether they did."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.payments.models import (
    AttemptStatus,
    Chargeback,
    Payment,
    PaymentAttempt,
    PaymentBatch,
    ProviderEvent,
    ProviderRefund,
    TransferReport,
)

WAITING = [AttemptStatus.STARTED, AttemptStatus.OPEN]
Checkout = TypeVar("Checkout", PaymentAttempt, PaymentBatch)


async def due_for_question(session: AsyncSession, model: type[Checkout], *, created_since: datetime,
                           checked_before: datetime, limit: int) -> list[Checkout]:
    """Open checkouts (an invoice's attempts or pay-many batches) created since `created_since` and not asked about
    since `checked_before`, least recently asked first, locked (SKIP LOCKED: replicas share the work)."""
    return list(await session.scalars(select(model).where(
        model.status == AttemptStatus.OPEN, model.provider_ref.is_not(None), model.created_at >= created_since,
        or_(model.checked_at.is_(None), model.checked_at <= checked_before),
    ).order_by(model.checked_at.nulls_first()).limit(limit).with_for_update(skip_locked=True)))


def _values(row: Any) -> dict[str, Any]:
    """The column values set on a not-yet-added ORM object (for an insert-on-conflict)."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if getattr(row, c.key) is not None}


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, payment: Payment) -> bool:
        """Record the payment unless its `payment_key` was recorded before (B-19): True if new."""
        inserted = await self.session.execute(insert(Payment).values(**_values(payment)).on_conflict_do_nothing(
            index_elements=[Payment.payment_key]).returning(Payment.id))
        return inserted.first() is not None

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        return await self.session.get(Payment, payment_id)

    async def by_key(self, payment_key: str) -> Payment | None:
        return await self.session.scalar(select(Payment).where(Payment.payment_key == payment_key))

    async def refundable(self, invoice_id: uuid.UUID, methods: Sequence[str]) -> list[Payment]:
        """The invoice's payments through `methods` not refunded yet, largest first."""
        return list(await self.session.scalars(select(Payment).where(
            Payment.invoice_id == invoice_id, Payment.method.in_(methods), Payment.refunded_at.is_(None),
        ).order_by(Payment.amount_minor.desc())))


class AttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, attempt_id: uuid.UUID, *, for_update: bool = False) -> PaymentAttempt | None:
        return await self.session.get(PaymentAttempt, attempt_id, with_for_update=for_update or None)

    async def waiting(self, *, invoice_id: uuid.UUID, provider: str, amount_minor: int,
                      currency: str) -> PaymentAttempt | None:
        """The newest attempt for this invoice, provider and amount still waiting (its key is reused)."""
        return await self.session.scalar(select(PaymentAttempt).where(
            PaymentAttempt.invoice_id == invoice_id, PaymentAttempt.provider == provider,
            PaymentAttempt.amount_minor == amount_minor, PaymentAttempt.currency == currency,
            PaymentAttempt.status.in_(WAITING)).order_by(PaymentAttempt.created_at.desc()).limit(1))

    async def by_ref(self, *, invoice_id: uuid.UUID, client_id: uuid.UUID, provider: str,
                     provider_ref: str) -> PaymentAttempt | None:
        """The client's attempt for this invoice at this provider's checkout (order, session, preference)."""
        return await self.session.scalar(select(PaymentAttempt).where(
            PaymentAttempt.invoice_id == invoice_id, PaymentAttempt.client_id == client_id,
            PaymentAttempt.provider == provider, PaymentAttempt.provider_ref == provider_ref).limit(1))

    async def add(self, attempt: PaymentAttempt) -> None:
        self.session.add(attempt)
        await self.session.flush()

    async def mark_paid(self, *, invoice_id: uuid.UUID, provider: str, at: datetime) -> None:
        """The invoice's waiting attempts at this provider: paid."""
        await self.session.execute(update(PaymentAttempt).where(
            PaymentAttempt.invoice_id == invoice_id, PaymentAttempt.provider == provider,
            PaymentAttempt.status.in_(WAITING)).values(status=AttemptStatus.PAID.value, checked_at=at))

    async def due_for_question(self, *, created_since: datetime, checked_before: datetime,
                               limit: int) -> list[PaymentAttempt]:
        """Open attempts to ask their provider about, locked (SKIP LOCKED: replicas share the work)."""
        return await due_for_question(self.session, PaymentAttempt, created_since=created_since,
                                      checked_before=checked_before, limit=limit)


class TransferReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, report: TransferReport) -> TransferReport:
        """Record the report once per (invoice, reference); returns the stored one."""
        await self.session.execute(insert(TransferReport).values(**_values(report)).on_conflict_do_nothing(
            index_elements=[TransferReport.invoice_id, TransferReport.reference]))
        stored = await self.session.scalar(select(TransferReport).where(
            TransferReport.invoice_id == report.invoice_id, TransferReport.reference == report.reference))
        assert stored is not None
        return stored

    async def newest(self, *, invoice_id: uuid.UUID | None, limit: int) -> list[TransferReport]:
        stmt = select(TransferReport).order_by(TransferReport.reported_at.desc()).limit(limit)
        if invoice_id is not None:
            stmt = stmt.where(TransferReport.invoice_id == invoice_id)
        return list(await self.session.scalars(stmt))


class RefundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, refund: ProviderRefund) -> ProviderRefund | None:
        """Record the refund once per payment; None when one was recorded before."""
        inserted = await self.session.execute(insert(ProviderRefund).values(**_values(refund)).on_conflict_do_nothing(
            index_elements=[ProviderRefund.payment_id]).returning(ProviderRefund.id))
        if inserted.first() is None:
            return None
        return await self.session.get(ProviderRefund, refund.id)

    async def requested_ids(self, limit: int) -> list[uuid.UUID]:
        return list(await self.session.scalars(select(ProviderRefund.id).where(ProviderRefund.status == "requested")
                                               .order_by(ProviderRefund.requested_at).limit(limit)))

    async def claim_requested(self, refund_id: uuid.UUID) -> ProviderRefund | None:
        """The refund if still requested and nobody else is sending it (locked, SKIP LOCKED)."""
        return await self.session.scalar(select(ProviderRefund).where(
            ProviderRefund.id == refund_id, ProviderRefund.status == "requested").with_for_update(skip_locked=True))


class ProviderEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, event: ProviderEvent) -> bool:
        """Store the raw event unless stored already (per provider and external id): True if new."""
        inserted = await self.session.execute(insert(ProviderEvent).values(**_values(event)).on_conflict_do_nothing(
            index_elements=[ProviderEvent.provider, ProviderEvent.external_id]).returning(ProviderEvent.id))
        return inserted.first() is not None

    async def claim_unprocessed(self, provider: str, external_id: str) -> ProviderEvent | None:
        """The event if not processed yet and nobody else is processing it (locked, SKIP LOCKED)."""
        return await self.session.scalar(select(ProviderEvent).where(
            ProviderEvent.provider == provider, ProviderEvent.external_id == external_id,
            ProviderEvent.processed_at.is_(None)).with_for_update(skip_locked=True))

    async def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(provider, external id) of unprocessed events whose turn has come, oldest turn first."""
        rows = await self.session.execute(select(ProviderEvent.provider, ProviderEvent.external_id).where(
            ProviderEvent.processed_at.is_(None), ProviderEvent.next_attempt_at <= now)
            .order_by(ProviderEvent.next_attempt_at).limit(limit))
        return [(provider, external_id) for provider, external_id in rows]


class ChargebackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, chargeback: Chargeback) -> bool:
        """Record the dispute once per (provider, dispute id): True if new."""
        inserted = await self.session.execute(insert(Chargeback).values(**_values(chargeback)).on_conflict_do_nothing(
            index_elements=[Chargeback.provider, Chargeback.dispute_id]).returning(Chargeback.id))
        return inserted.first() is not None

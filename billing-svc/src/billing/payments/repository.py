"""Payments' queries: money received, payment attempts, reported transfers, provider refunds, stored provider
events and chargebacks. Inserts that must happen once are insert-on-conflict-do-nothing and say whether they did."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing import locks
from billing.locks import LockKind
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
from billing.payments.provider import VerifiedEvent

WAITING = [AttemptStatus.STARTED, AttemptStatus.OPEN]
Checkout = TypeVar("Checkout", PaymentAttempt, PaymentBatch)

# The payment path's statements, built once on the tables (no ORM objects, no statement built per call: issue 20).
_payments_t, _events = (cast(Table, m.__table__) for m in (Payment, ProviderEvent))
_payments = _payments_t.c
# A payment's first write (issue 20: three round trips): the client's credit lock taken (B-10; the caller holds the
# invoice's row lock, so the order stays invoice -> credit), then the payment recorded once per key (B-19) and the
# invoice's attempts still waiting at the provider marked paid (none when `attempts_provider` is NULL). The lock is the
# row the INSERT reads and the UPDATE waits for it (EXISTS), so both run holding it.
_PAYMENT_ONCE = text("""
    WITH credit_lock AS (
        SELECT pg_advisory_xact_lock(hashtextextended(:credit_lock, 0)) AS held
    ), attempts AS (
        UPDATE payment_attempts SET status = :attempt_paid, checked_at = :received_at
        WHERE invoice_id = :invoice_id AND provider = :attempts_provider
              AND status = ANY(CAST(:attempts_waiting AS text[])) AND EXISTS (SELECT FROM credit_lock)
    )
    INSERT INTO payments (id, payment_key, invoice_id, client_id, amount_minor, currency, method, received_at,
                          credited_minor)
    SELECT CAST(:id AS uuid), CAST(:payment_key AS text), CAST(:invoice_id AS uuid), CAST(:client_id AS uuid),
           CAST(:amount_minor AS bigint), CAST(:currency AS text), CAST(:method AS text),
           CAST(:received_at AS timestamptz), 0
    FROM credit_lock
    ON CONFLICT (payment_key) DO NOTHING
    RETURNING id""")
_ATTEMPT_STATUSES = {"attempt_paid": AttemptStatus.PAID.value, "attempts_waiting": [s.value for s in WAITING]}
_SET_CREDITED = update(_payments_t).where(_payments.id == bindparam("payment_id")).values(
    credited_minor=bindparam("credited"))
_STORE_EVENT = insert(_events).on_conflict_do_nothing(
    index_elements=[_events.c.provider, _events.c.external_id]).returning(_events.c.id)


def _unprocessed() -> tuple[Any, ...]:
    """The stored event `(:event_provider, :event_external_id)`, if not processed yet."""
    return (_events.c.provider == bindparam("event_provider"),
            _events.c.external_id == bindparam("event_external_id"), _events.c.processed_at.is_(None))


_CLAIM_EVENT = select(_events.c.provider, _events.c.external_id, _events.c.event_type, _events.c.object_id,
                      _events.c.body).where(*_unprocessed()).with_for_update(skip_locked=True)
_EVENT_DONE = update(_events).where(*_unprocessed()).values(
    processed_at=bindparam("done_at"), outcome=bindparam("done_outcome"), attempts=_events.c.attempts + 1
).returning(_events.c.id)


async def due_for_question(session: AsyncSession, model: type[Checkout], *, created_since: datetime,
                           checked_before: datetime, limit: int) -> list[Checkout]:
    """Open checkouts (an invoice's attempts or pay-many batches) created since `created_since` and neither asked
    about nor opened since `checked_before`, least recently asked first, locked (SKIP LOCKED: replicas share the
    work). B-19: a checkout is first asked about one interval after it opened; its webhook normally comes within
    seconds, and a question before (the client still typing their card) costs a provider call for each checkout of
    a renewal day, in the provider's rate limit and beside the webhooks it would race."""
    last_asked = func.coalesce(model.checked_at, model.created_at)
    return list(await session.scalars(select(model).where(
        model.status == AttemptStatus.OPEN, model.provider_ref.is_not(None), model.created_at >= created_since,
        last_asked <= checked_before,
    ).order_by(last_asked).limit(limit).with_for_update(skip_locked=True)))


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

    async def record_once(self, *, payment_id: uuid.UUID, payment_key: str, invoice_id: uuid.UUID,
                          client_id: uuid.UUID, amount_minor: int, currency: str, method: str,
                          received_at: datetime, attempts_provider: str | None) -> bool:
        """`add_once` without an ORM object (the payment path's), in one statement with the client's credit lock
        (B-10: held until the transaction ends, a duplicate too) and, for a provider's payment
        (`attempts_provider`), its invoice's attempts waiting there marked paid: True if new, its credit recorded
        as 0. The caller holds the invoice's lock (`FOR UPDATE`)."""
        inserted = await self.session.execute(_PAYMENT_ONCE, {
            "credit_lock": locks.key(LockKind.CREDIT, client_id), "attempts_provider": attempts_provider,
            **_ATTEMPT_STATUSES,
            "id": payment_id, "payment_key": payment_key, "invoice_id": invoice_id, "client_id": client_id,
            "amount_minor": amount_minor, "currency": currency, "method": method, "received_at": received_at})
        return inserted.first() is not None

    async def set_credited(self, payment_id: uuid.UUID, credited_minor: int) -> None:
        """The part of the payment kept as credit balance (B-10)."""
        await self.session.execute(_SET_CREDITED, {"payment_id": payment_id, "credited": credited_minor})

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

    async def store_once(self, event: VerifiedEvent, *, received_at: datetime, next_attempt_at: datetime) -> bool:
        """`add_once` in one prebuilt statement (a webhook's request): True if new."""
        inserted = await self.session.execute(_STORE_EVENT, {
            "provider": event.provider, "external_id": event.external_id, "event_type": event.event_type,
            "object_id": event.object_id, "body": event.body, "received_at": received_at, "attempts": 0,
            "next_attempt_at": next_attempt_at})
        return inserted.first() is not None

    async def claim_unprocessed(self, provider: str, external_id: str) -> VerifiedEvent | None:
        """The event if not processed yet and nobody else is processing it (locked, SKIP LOCKED)."""
        row = (await self.session.execute(_CLAIM_EVENT, {"event_provider": provider,
                                                         "event_external_id": external_id})).first()
        return None if row is None else VerifiedEvent(provider=row.provider, external_id=row.external_id,
                                                      event_type=row.event_type, object_id=row.object_id,
                                                      body=row.body)

    async def mark_processed(self, provider: str, external_id: str, *, at: datetime, outcome: str) -> bool:
        """The event done, if nobody did it first (False: waits for whoever holds it): its effects commit with this
        (one more attempt counted)."""
        done = await self.session.execute(_EVENT_DONE, {"event_provider": provider, "event_external_id": external_id,
                                                        "done_at": at, "done_outcome": outcome})
        return done.first() is not None

    async def unprocessed_attempts(self, provider: str, external_id: str) -> int | None:
        """The attempts counted so far of an event not processed yet, locked (None: processed or unknown)."""
        return await self.session.scalar(select(_events.c.attempts).where(*_unprocessed()).with_for_update(), {
            "event_provider": provider, "event_external_id": external_id})

    async def mark_failed(self, provider: str, external_id: str, *, error: str, retry_at: datetime) -> None:
        """An event whose processing failed (and rolled back), locked by `unprocessed_attempts`: one more attempt
        counted, due again for the sweep at `retry_at`."""
        await self.session.execute(update(_events).where(*_unprocessed()).values(
            attempts=_events.c.attempts + 1, last_error=error, next_attempt_at=retry_at), {
            "event_provider": provider, "event_external_id": external_id})

    async def make_due(self, events: list[tuple[str, str]], at: datetime) -> int:
        """Events (provider, external id) a stopping process handed back unprocessed: due for the sweep at `at`
        (never later than their retry time already was); how many."""
        updated = await self.session.execute(update(_events).where(
            tuple_(_events.c.provider, _events.c.external_id).in_(events), _events.c.processed_at.is_(None),
            _events.c.next_attempt_at > at).values(next_attempt_at=at).returning(_events.c.id))
        return len(updated.all())

    async def due(self, now: datetime, limit: int) -> list[VerifiedEvent]:
        """Unprocessed events whose turn has come, oldest turn first (read, not locked: processing claims each)."""
        rows = await self.session.execute(select(
            ProviderEvent.provider, ProviderEvent.external_id, ProviderEvent.event_type, ProviderEvent.object_id,
            ProviderEvent.body).where(ProviderEvent.processed_at.is_(None), ProviderEvent.next_attempt_at <= now)
            .order_by(ProviderEvent.next_attempt_at).limit(limit))
        return [VerifiedEvent(provider=row.provider, external_id=row.external_id, event_type=row.event_type,
                              object_id=row.object_id, body=row.body) for row in rows]


class ChargebackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, chargeback: Chargeback) -> bool:
        """Record the dispute once per (provider, dispute id): True if new."""
        inserted = await self.session.execute(insert(Chargeback).values(**_values(chargeback)).on_conflict_do_nothing(
            index_elements=[Chargeback.provider, Chargeback.dispute_id]).returning(Chargeback.id))
        return inserted.first() is not None

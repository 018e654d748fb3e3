"""Mandates and the invoices waiting for a debit request (SQL lives here)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Text, and_, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.direct_debit.models import DirectDebitMandate, MandateState
from billing.invoices.models import Invoice, InvoiceStatus
from billing.payments.models import AttemptStatus, PaymentAttempt


def debit_key(invoice_id: uuid.UUID) -> str:
    """The one debit attempt an invoice may have (unique idempotency key: two schedulers make one request)."""
    return f"direct-debit-{invoice_id}"


class MandateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def live(self, client_id: uuid.UUID, *, for_update: bool = False) -> DirectDebitMandate | None:
        """The client's mandate that is not cancelled, if any."""
        query = select(DirectDebitMandate).where(
            DirectDebitMandate.client_id == client_id, DirectDebitMandate.state != MandateState.CANCELLED
        )
        return await self.session.scalar(query.with_for_update() if for_update else query)

    async def latest(self, client_id: uuid.UUID) -> DirectDebitMandate | None:
        return await self.session.scalar(
            select(DirectDebitMandate)
            .where(DirectDebitMandate.client_id == client_id)
            .order_by(DirectDebitMandate.created_at.desc())
            .limit(1)
        )

    async def get(self, mandate_id: uuid.UUID, *, for_update: bool = False) -> DirectDebitMandate | None:
        return await self.session.get(DirectDebitMandate, mandate_id, with_for_update=for_update or None)

    async def by_ref(self, provider: str, mandate_ref: str) -> DirectDebitMandate | None:
        return await self.session.scalar(
            select(DirectDebitMandate)
            .where(DirectDebitMandate.provider == provider, DirectDebitMandate.mandate_ref == mandate_ref)
            .with_for_update()
        )

    async def pending_due(self, *, provider: str, updated_before: datetime, limit: int) -> list[DirectDebitMandate]:
        """Mandates still waiting for the bank, not asked about lately, locked (SKIP LOCKED: replicas share them)."""
        return list(
            await self.session.scalars(
                select(DirectDebitMandate)
                .where(
                    DirectDebitMandate.provider == provider,
                    DirectDebitMandate.state == MandateState.PENDING,
                    DirectDebitMandate.mandate_ref.is_not(None),
                    DirectDebitMandate.updated_at <= updated_before,
                )
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    async def add_live(self, mandate: DirectDebitMandate) -> bool:
        """Insert unless the client has a live mandate already (the partial unique index decides under races)."""
        values = {c.name: getattr(mandate, c.key) for c in DirectDebitMandate.__table__.columns}
        inserted = await self.session.execute(
            insert(DirectDebitMandate).values(values).on_conflict_do_nothing().returning(DirectDebitMandate.id)
        )
        return inserted.scalar_one_or_none() is not None


class DebitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def invoices_to_debit(
        self, *, provider: str, kinds: Sequence[str], currencies: Sequence[str], limit: int
    ) -> list[tuple[Invoice, DirectDebitMandate]]:
        """Unpaid invoices of these kinds whose client has an active mandate and that have no debit attempt yet."""
        has_attempt = exists().where(
            PaymentAttempt.idempotency_key == func.concat("direct-debit-", cast(Invoice.id, Text))
        )
        rows = await self.session.execute(
            select(Invoice, DirectDebitMandate)
            .join(
                DirectDebitMandate,
                and_(
                    DirectDebitMandate.client_id == Invoice.client_id,
                    DirectDebitMandate.provider == provider,
                    DirectDebitMandate.state == MandateState.ACTIVE,
                ),
            )
            .where(
                Invoice.status == InvoiceStatus.UNPAID,
                Invoice.kind.in_(kinds),
                Invoice.currency.in_(currencies),
                Invoice.total_minor > 0,
                ~has_attempt,
            )
            .order_by(Invoice.due_on)
            .limit(limit)
        )
        return [(invoice, mandate) for invoice, mandate in rows]

    async def add_attempt_once(self, attempt: PaymentAttempt) -> bool:
        """Store the debit attempt (its key) unless another scheduler stored it first."""
        values = {c.name: getattr(attempt, c.key) for c in PaymentAttempt.__table__.columns}
        inserted = await self.session.execute(
            insert(PaymentAttempt)
            .values(values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(PaymentAttempt.id)
        )
        return inserted.scalar_one_or_none() is not None

    async def waiting_for_client(self, *, provider: str, client_id: uuid.UUID) -> list[PaymentAttempt]:
        """The client's debit attempts not settled yet (stored, or requested and not collected), locked."""
        return list(
            await self.session.scalars(
                select(PaymentAttempt)
                .where(
                    PaymentAttempt.provider == provider,
                    PaymentAttempt.client_id == client_id,
                    PaymentAttempt.status.in_((AttemptStatus.STARTED, AttemptStatus.OPEN)),
                    PaymentAttempt.idempotency_key.startswith("direct-debit-"),
                )
                .with_for_update()
            )
        )

    async def settled_otherwise(self, *, provider: str, limit: int) -> list[PaymentAttempt]:
        """Debit requests made at the provider for invoices since paid another way (or cancelled), not withdrawn yet,
        locked (SKIP LOCKED)."""
        return list(
            await self.session.scalars(
                select(PaymentAttempt)
                .join(Invoice, Invoice.id == PaymentAttempt.invoice_id)
                .where(
                    PaymentAttempt.provider == provider,
                    PaymentAttempt.idempotency_key.startswith("direct-debit-"),
                    PaymentAttempt.status.in_((AttemptStatus.OPEN, AttemptStatus.CLOSED)),
                    PaymentAttempt.withdrawn_at.is_(None),
                    Invoice.status != InvoiceStatus.UNPAID,
                )
                .limit(limit)
                .with_for_update(of=PaymentAttempt, skip_locked=True)
            )
        )

    async def stalled(self, *, provider: str, checked_before: datetime, limit: int) -> list[PaymentAttempt]:
        """Debit attempts stored but never confirmed by the provider (a crash, the provider down), locked and due
        for another try (SKIP LOCKED: replicas share them)."""
        return list(
            await self.session.scalars(
                select(PaymentAttempt)
                .where(
                    PaymentAttempt.provider == provider,
                    PaymentAttempt.status == AttemptStatus.STARTED,
                    PaymentAttempt.idempotency_key.startswith("direct-debit-"),
                    or_(PaymentAttempt.checked_at.is_(None), PaymentAttempt.checked_at <= checked_before),
                )
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

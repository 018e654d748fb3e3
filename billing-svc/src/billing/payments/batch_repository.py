"""Payment batches' queries: several invoices paid in one provider checkout (issue #13 item 3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.invoices.models import Invoice, InvoiceStatus
from billing.payments.models import PaymentBatch, PaymentBatchInvoice
from billing.payments.repository import WAITING, due_for_question


class BatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, batch: PaymentBatch, items: Sequence[PaymentBatchInvoice]) -> None:
        self.session.add(batch)
        await self.session.flush()
        self.session.add_all(items)
        await self.session.flush()

    async def get(self, batch_id: uuid.UUID, *, for_update: bool = False) -> PaymentBatch | None:
        return await self.session.get(PaymentBatch, batch_id, with_for_update=for_update or None)

    async def by_reference(self, reference: str) -> PaymentBatch | None:
        return await self.session.scalar(select(PaymentBatch).where(PaymentBatch.reference == reference))

    async def items(self, batch_id: uuid.UUID) -> list[PaymentBatchInvoice]:
        """The batch's invoices in the order credit and the charge were applied to them."""
        return list(await self.session.scalars(select(PaymentBatchInvoice).where(
            PaymentBatchInvoice.batch_id == batch_id).order_by(PaymentBatchInvoice.position)))

    async def waiting(self, *, client_id: uuid.UUID, provider: str, invoice_ids: Sequence[uuid.UUID],
                      amount_minor: int) -> PaymentBatch | None:
        """The client's newest batch still waiting at this provider for exactly these invoices and this amount (its
        checkout and key are reused)."""
        wanted = set(invoice_ids)
        candidates = await self.session.scalars(select(PaymentBatch).where(
            PaymentBatch.client_id == client_id, PaymentBatch.provider == provider,
            PaymentBatch.amount_minor == amount_minor, PaymentBatch.status.in_(WAITING),
        ).order_by(PaymentBatch.created_at.desc()).limit(10))
        for batch in candidates:
            if {item.invoice_id for item in await self.items(batch.id) if item.amount_minor > 0} == wanted:
                return batch
        return None

    async def due_for_question(self, *, created_since: datetime, checked_before: datetime,
                               limit: int) -> list[PaymentBatch]:
        """Open batches to ask their provider about (a pay-many checkout whose notification never came)."""
        return await due_for_question(self.session, PaymentBatch, created_since=created_since,
                                      checked_before=checked_before, limit=limit)

    async def all_settled(self, batch_id: uuid.UUID) -> bool:
        """True when none of the batch's invoices the provider was to charge is still unpaid (paid or cancelled
        otherwise): reconciliation stops asking about it."""
        left = await self.session.scalar(
            select(func.count()).select_from(PaymentBatchInvoice)
            .join(Invoice, Invoice.id == PaymentBatchInvoice.invoice_id)
            .where(PaymentBatchInvoice.batch_id == batch_id, PaymentBatchInvoice.amount_minor > 0,
                   Invoice.status == InvoiceStatus.UNPAID))
        return not left

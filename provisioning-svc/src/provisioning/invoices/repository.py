import uuid
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import InvoiceIssued
from provisioning.instances.models import SettledInvoice
from provisioning.invoices.models import CancelledInvoice, InvoiceService, IssuedInvoice


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_issue(self, event: InvoiceIssued) -> None:
        """Remember an issued invoice and the services its lines name (once, however often it is delivered)."""
        service_ids = {line.service_id for line in event.lines if line.service_id is not None}
        stmt = insert(IssuedInvoice).values(
            invoice_id=event.invoice_id, client_id=event.client_id, number=event.number, due_on=event.due_on,
            has_unattributed_lines=any(line.service_id is None for line in event.lines),
            issued_at=event.occurred_at, event_id=event.event_id,
        ).on_conflict_do_nothing()
        await self.session.execute(stmt)
        if service_ids:
            rows = [{"invoice_id": event.invoice_id, "service_id": s} for s in sorted(service_ids)]
            await self.session.execute(insert(InvoiceService).values(rows).on_conflict_do_nothing())

    async def record_cancellation(self, *, invoice_id: uuid.UUID, client_id: uuid.UUID, reason: str,
                                  at: datetime, event_id: uuid.UUID) -> None:
        stmt = insert(CancelledInvoice).values(invoice_id=invoice_id, client_id=client_id, reason=reason,
                                               cancelled_at=at, event_id=event_id).on_conflict_do_nothing()
        await self.session.execute(stmt)

    async def is_cancelled(self, invoice_id: uuid.UUID) -> bool:
        return await self.session.get(CancelledInvoice, invoice_id) is not None

    async def unpaid_for_service(self, *, service_id: uuid.UUID, owner_id: uuid.UUID) -> list[IssuedInvoice]:
        """Issued invoices neither paid nor cancelled that may be for this service: those with a line for it, and
        the owner's with a line naming no single service (we cannot tell it is not for this one)."""
        for_service = exists().where(InvoiceService.invoice_id == IssuedInvoice.invoice_id,
                                     InvoiceService.service_id == service_id)
        query = (
            select(IssuedInvoice)
            .where(or_(for_service, (IssuedInvoice.client_id == owner_id) & IssuedInvoice.has_unattributed_lines))
            .where(~exists().where(SettledInvoice.invoice_id == IssuedInvoice.invoice_id))
            .where(~exists().where(CancelledInvoice.invoice_id == IssuedInvoice.invoice_id))
            .order_by(IssuedInvoice.due_on, IssuedInvoice.invoice_id)
        )
        return list((await self.session.scalars(query)).all())

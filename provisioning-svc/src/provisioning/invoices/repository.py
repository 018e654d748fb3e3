import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import InvoiceIssued
from provisioning.instances.models import SettledInvoice
from provisioning.invoices.models import CancelledInvoice, InvoiceService, IssuedInvoice


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_issues(self, events: Sequence[InvoiceIssued]) -> None:
        """Remember issued invoices and the services their lines name (once, however often they are delivered), in two
        statements whatever their count (issue 20: a renewal run's backlog): `INSERT ... SELECT unnest(...) ON
        CONFLICT DO NOTHING` for the invoices, then for their services."""
        invoices = [(e.invoice_id, e.client_id, e.number, e.due_on, any(line.service_id is None for line in e.lines),
                     e.occurred_at, e.event_id) for e in events]
        links = sorted({(e.invoice_id, line.service_id) for e in events for line in e.lines
                        if line.service_id is not None})
        if invoices:
            columns = list(zip(*invoices, strict=True))
            await self.session.execute(_INSERT_ISSUED, dict(zip(
                ("invoice_ids", "client_ids", "numbers", "due_ons", "unattributed", "issued_ats", "event_ids"),
                (list(column) for column in columns), strict=True)))
        if links:
            await self.session.execute(_INSERT_SERVICES, {"invoice_ids": [invoice for invoice, _ in links],
                                                          "service_ids": [service for _, service in links]})

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


_INSERT_ISSUED = text("""
    INSERT INTO issued_invoices (invoice_id, client_id, number, due_on, has_unattributed_lines, issued_at, event_id)
    SELECT * FROM unnest(CAST(:invoice_ids AS uuid[]), CAST(:client_ids AS uuid[]), CAST(:numbers AS text[]),
                         CAST(:due_ons AS date[]), CAST(:unattributed AS boolean[]), CAST(:issued_ats AS timestamptz[]),
                         CAST(:event_ids AS uuid[]))
    ON CONFLICT DO NOTHING
""")
_INSERT_SERVICES = text("""
    INSERT INTO invoice_services (invoice_id, service_id)
    SELECT * FROM unnest(CAST(:invoice_ids AS uuid[]), CAST(:service_ids AS uuid[]))
    ON CONFLICT DO NOTHING
""")

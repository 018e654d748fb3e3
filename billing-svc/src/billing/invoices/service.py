"""Reading invoices (a client only its own), cancelling an unpaid one (B-9, B-10), and staff waiving one (B-18)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, NotFound
from abono.events import InvoiceCancelled
from abono.messaging import emit
from abono.money import Money
from billing.audit.repository import AuditRepository
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.invoices.models import Invoice, InvoiceLine, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.settlement import settle


async def client_invoice(*, session: AsyncSession, client_id: uuid.UUID, invoice_id: uuid.UUID
                         ) -> tuple[Invoice, list[InvoiceLine]]:
    """One of the client's invoices with its lines; another client's is "not found"."""
    repo = InvoiceRepository(session)
    invoice = await repo.get(invoice_id)
    if invoice is None or invoice.client_id != client_id:
        raise NotFound("No such invoice.")
    return invoice, await repo.lines(invoice.id)


async def audit_invoice(session: AsyncSession, *, actor_id: uuid.UUID, action: str, invoice: Invoice, clock: Clock,
                        **details: object) -> None:
    """A staff action on an invoice, in the audit log."""
    await AuditRepository(session).add(actor_id=actor_id, action=action, target_type="invoice", target_id=invoice.id,
                                       details={"number": invoice.number, **details}, at=clock.now())


async def cancel_invoice(*, session: AsyncSession, clock: Clock, invoice: Invoice, reason: str) -> None:
    """Cancel an unpaid invoice: its periods are freed, the credit it used returns (B-10), `InvoiceCancelled`."""
    now = clock.now()
    invoice.status, invoice.cancelled_at, invoice.cancel_reason = InvoiceStatus.CANCELLED.value, now, reason
    await InvoiceRepository(session).release_periods(invoice.id)
    if invoice.credit_applied_minor > 0:
        credit = CreditRepository(session)
        await credit.lock(invoice.client_id)
        await credit.add(client_id=invoice.client_id, amount=Money(invoice.credit_applied_minor, invoice.currency),
                         reason="returned from cancelled invoice", invoice_id=invoice.id, at=now)
    await session.flush()
    await emit(session, InvoiceCancelled(invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number,
                                         reason=reason, occurred_at=now))


async def waive(*, session: AsyncSession, clock: Clock, settings: BillingSettings, actor_id: uuid.UUID,
                invoice_id: uuid.UUID, reason: str) -> Invoice:
    """B-18: staff waive an unpaid invoice (pay-with-time); it counts as settled. Audited."""
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound("No such invoice.")
    if invoice.status != InvoiceStatus.UNPAID:
        raise Conflict(f"Only an unpaid invoice can be waived; this one is {invoice.status}.")
    await settle(session=session, clock=clock, settings=settings, invoice=invoice, method="waived")
    invoice.status = InvoiceStatus.WAIVED.value
    await audit_invoice(session, actor_id=actor_id, action="waive", invoice=invoice, clock=clock, reason=reason)
    return invoice

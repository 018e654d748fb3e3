"""Paying several invoices at once (issue #13 item 3), in the caller's session: which invoices a batch may take
(the client's own, unpaid, one currency), and a batch as the client reads it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, InvalidInput, NotFound
from abono.money import Money, MoneyModel
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.payments.batch_repository import BatchRepository
from billing.payments.models import AttemptStatus
from billing.payments.schemas import BatchInvoicePublic, PaymentBatchPublic


async def locked_invoices(session: AsyncSession, *, client_id: uuid.UUID,
                           invoice_ids: Sequence[uuid.UUID]) -> list[Invoice]:
    """The client's unpaid invoices, locked in id order (the order every batch locks them in); another client's
    invoice is not found, whatever else is asked."""
    if len(set(invoice_ids)) != len(invoice_ids):
        raise InvalidInput("The same invoice is chosen twice.")
    repo = InvoiceRepository(session)
    found = []
    for invoice_id in sorted(invoice_ids):
        invoice = await repo.get(invoice_id, for_update=True)
        if invoice is None or invoice.client_id != client_id:
            raise NotFound("No such invoice.")
        found.append(invoice)
    for invoice in found:
        if invoice.status != InvoiceStatus.UNPAID or invoice.total_minor <= 0:
            raise Conflict(f"Invoice {invoice.number} is {invoice.status}: there is nothing to pay on it.")
    if len({invoice.currency for invoice in found}) > 1:
        raise InvalidInput("These invoices are in different currencies: pay the invoices of each currency apart.")
    return found


async def batch_view(session: AsyncSession, *, client_id: uuid.UUID, batch_id: uuid.UUID) -> PaymentBatchPublic:
    """One of the client's batches with its invoices as they are now; another client's is not found."""
    batches = BatchRepository(session)
    batch = await batches.get(batch_id)
    if batch is None or batch.client_id != client_id:
        raise NotFound("No such payment.")
    invoices = InvoiceRepository(session)
    rows = []
    for item in await batches.items(batch.id):
        invoice = await invoices.get(item.invoice_id)
        assert invoice is not None
        rows.append(BatchInvoicePublic(
            invoice_id=invoice.id, number=invoice.number, status=invoice.status,
            credit_applied=MoneyModel.of(Money(item.credit_minor, batch.currency)),
            amount=MoneyModel.of(Money(item.amount_minor, batch.currency))))
    return PaymentBatchPublic(
        id=batch.id, method=batch.provider, status=batch.status,
        total=MoneyModel.of(Money(batch.total_minor, batch.currency)),
        credit_applied=MoneyModel.of(Money(batch.credit_minor, batch.currency)),
        amount=MoneyModel.of(Money(batch.amount_minor, batch.currency)),
        redirect_url=batch.redirect_url if batch.status == AttemptStatus.OPEN else None,
        provider_ref=batch.provider_ref, invoices=rows,
        paid=all(row.status == InvoiceStatus.PAID for row in rows))

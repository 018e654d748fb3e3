"""B-19: transfers clients report (once per invoice and reference); staff confirm them (`payments.staff`). Only
flushes."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing.config import BillingSettings
from billing.invoices.repricing import reprice_for_method
from billing.payments import rules
from billing.payments.methods import payable
from billing.payments.models import TransferReport
from billing.payments.repository import TransferReportRepository
from billing.payments.schemas import TransferReportCreate


async def report_transfer(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                          invoice_id: uuid.UUID, report: TransferReportCreate) -> TransferReport:
    """B-19: record the client's transfer report (once per invoice and reference); staff confirm it later."""
    invoice, client = await payable(session, client_id=client_id, invoice_id=invoice_id, for_update=True)
    # B-22: a channel earning another method discount (Zelle) re-prices the invoice the transfer pays.
    await reprice_for_method(session=session, settings=settings, invoice=invoice, method=report.channel)
    rules.check_method(settings=settings, method="transfer", country=client.country if client else None,
                       amount=Money(invoice.total_minor, invoice.currency))
    return await TransferReportRepository(session).add_once(TransferReport(
        id=uuid.uuid4(), invoice_id=invoice.id, client_id=client_id, channel=report.channel,
        reference=report.reference, amount_minor=report.amount_minor, currency=invoice.currency,
        paid_on=report.paid_on, proof=report.proof, reported_at=clock.now()))


async def transfer_reports(*, session: AsyncSession, invoice_id: uuid.UUID | None, limit: int
                           ) -> list[TransferReport]:
    return await TransferReportRepository(session).newest(invoice_id=invoice_id, limit=limit)

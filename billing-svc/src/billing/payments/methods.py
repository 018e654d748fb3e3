"""Which invoice a client may pay and with what (B-12 method discount, B-20 country, currency and minimum amount).
Reads only."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, NotFound
from abono.money import Money, MoneyModel
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.repricing import total_for_method
from billing.payments import rules
from billing.payments.schemas import MethodRefused, PaymentMethods


async def payable(session: AsyncSession, *, client_id: uuid.UUID, invoice_id: uuid.UUID,
                   for_update: bool = False) -> tuple[Invoice, Client | None]:
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=for_update)
    if invoice is None or invoice.client_id != client_id:
        raise NotFound("No such invoice.")
    if invoice.status != InvoiceStatus.UNPAID:
        raise Conflict(f"This invoice is {invoice.status}: there is nothing to pay.")
    if invoice.total_minor <= 0:
        raise Conflict("Nothing is left to pay on this invoice (credit covers it).")
    return invoice, await ClientRepository(session).get(client_id)


def allowed_methods(*, settings: BillingSettings, invoice: Invoice, client: Client | None) -> list[str]:
    amount = Money(invoice.total_minor, invoice.currency)
    allowed = rules.allowed_methods(settings=settings, country=client.country if client else None,
                                    currency=invoice.currency)
    out = []
    for method in allowed:
        least = rules.minimum(settings=settings, method=method, currency=invoice.currency)
        if method in settings.payment_methods_implemented and (least is None or amount >= least):
            out.append(method)
    return out


async def payment_methods(*, session: AsyncSession, settings: BillingSettings, client_id: uuid.UUID,
                          invoice_id: uuid.UUID, configured: Collection[str]) -> PaymentMethods:
    """B-20: the methods this client may use for this invoice, and those refused for its currency with the advice.
    A provider's method is listed only where the provider is `configured` (its credentials are set)."""
    invoice, client = await payable(session, client_id=client_id, invoice_id=invoice_id)
    usable = {*configured, *rules.OFFLINE_METHODS}
    refused = rules.refused_by_currency(settings=settings, country=client.country if client else None,
                                        currency=invoice.currency)
    allowed = [m for m in allowed_methods(settings=settings, invoice=invoice, client=client) if m in usable]
    totals = {m: MoneyModel.of(await total_for_method(session=session, settings=settings, invoice=invoice, method=m))
              for m in allowed}
    return PaymentMethods(invoice_id=invoice.id, methods=allowed, totals=totals,
                          refused=[MethodRefused(method=m, currency=invoice.currency,
                                                 switch_to=rules.SWITCH_CURRENCY_TO)
                                   for m in refused if m in settings.payment_methods_implemented and m in usable])

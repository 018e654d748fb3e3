"""Paying several invoices at once, credit first (issue #13 item 3; B-10, B-19, B-20, B-22): the client's credit
pays what it can of the chosen invoices (oldest due first), and one provider checkout charges the rest. The batch
and its idempotency key are committed before the provider is called, its page in another transaction (as
`billing.payments.checkout` does for one invoice); `billing.payments.batch_applying` applies the provider's payment.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.errors import InvalidInput, NotFound, ServiceUnavailable
from abono.money import Money
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.invoices.issuing import CREDIT_APPLIED
from billing.invoices.repository import InvoiceRepository
from billing.invoices.repricing import reprice_for_method
from billing.invoices.settlement import settle
from billing.payments import batch_reads, rules
from billing.payments.applying import apply_provider_payment
from billing.payments.batch_repository import BatchRepository
from billing.payments.checkout import open_checkout
from billing.payments.models import AttemptStatus, PaymentBatch, PaymentBatchInvoice
from billing.payments.provider import CheckoutInvoice, PaymentProvider, ProviderError
from billing.payments.schemas import PaymentBatchPublic

BATCH_REFERENCE_PREFIX = "LOTE"


async def _make_batch(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                      client_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID], method: str) -> PaymentBatch:
    """Credit first, then the batch for the rest, in one committed transaction: a refused method (B-20) leaves the
    invoices and the credit as they were. A batch still waiting for the same invoices and amount is reused."""
    async with unit_of_work(sessionmaker) as session:
        invoices = await batch_reads.locked_invoices(session, client_id=client_id, invoice_ids=invoice_ids)
        client = await ClientRepository(session).get(client_id)
        currency = invoices[0].currency
        for invoice in invoices:  # B-22: the method's discount, as paying each invoice alone would price it
            await reprice_for_method(session=session, settings=settings, invoice=invoice, method=method)
        credit = CreditRepository(session)
        await credit.lock(client_id)
        available = (await credit.balance(client_id, currency)).amount_minor
        batches = BatchRepository(session)
        if available <= 0:
            waiting = await batches.waiting(client_id=client_id, provider=method, invoice_ids=invoice_ids,
                                            amount_minor=sum(invoice.total_minor for invoice in invoices))
            if waiting is not None:
                return waiting
        now, batch_id = clock.now(), uuid.uuid4()
        total = sum(invoice.total_minor for invoice in invoices)
        items = []
        for position, invoice in enumerate(sorted(invoices, key=lambda i: (i.due_on, i.number)), start=1):
            use = max(0, min(available, invoice.total_minor))  # B-10: credit pays what it can, oldest due first
            if use > 0:
                await credit.add(client_id=client_id, amount=Money(-use, currency), reason=CREDIT_APPLIED,
                                 invoice_id=invoice.id, at=now)
                invoice.credit_applied_minor += use
                invoice.total_minor -= use
                available -= use
            items.append(PaymentBatchInvoice(batch_id=batch_id, invoice_id=invoice.id, position=position,
                                             credit_minor=use, amount_minor=invoice.total_minor))
        charge = Money(sum(item.amount_minor for item in items), currency)
        if not charge.is_zero():
            rules.check_method(settings=settings, method=method, country=client.country if client else None,
                               amount=charge)
        for invoice in invoices:
            if invoice.total_minor == 0:  # credit paid all of it
                await settle(session=session, clock=clock, settings=settings, invoice=invoice, method="credit")
        reference = InvoiceRepository.new_payment_reference(settings.payment_reference_length)
        batch = PaymentBatch(
            id=batch_id, client_id=client_id, provider=method, currency=currency, total_minor=total,
            credit_minor=total - charge.amount_minor, amount_minor=charge.amount_minor,
            reference=f"{BATCH_REFERENCE_PREFIX}-{reference}",
            idempotency_key=f"abono-pay-many-{batch_id}",
            status=(AttemptStatus.PAID if charge.is_zero() else AttemptStatus.STARTED).value, created_at=now,
            paid_at=now if charge.is_zero() else None)
        await batches.add(batch, items)
        return batch


async def pay_many(*, sessionmaker: async_sessionmaker[AsyncSession], providers: dict[str, PaymentProvider],
                   clock: Clock, settings: BillingSettings, client_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID],
                   method: str) -> PaymentBatchPublic:
    """Pay several of the client's unpaid invoices of one currency: credit first, then one provider checkout for
    the rest (its `redirect_url`), or nothing more when the credit paid them all."""
    provider = providers.get(method)
    if provider is None:
        raise InvalidInput(f"Several invoices are paid at once through a payment provider; {method!r} is not one "
                           f"offered here.")
    batch = await _make_batch(sessionmaker=sessionmaker, clock=clock, settings=settings, client_id=client_id,
                              invoice_ids=invoice_ids, method=method)
    if batch.status == AttemptStatus.STARTED or (batch.status == AttemptStatus.OPEN and not batch.redirect_url):
        async with unit_of_work(sessionmaker) as session:
            client = await ClientRepository(session).get(client_id)
            view = await batch_reads.batch_view(session, client_id=client_id, batch_id=batch.id)
            numbers = [row.number for row in view.invoices if row.amount.amount_minor > 0]
        checkout_invoice = CheckoutInvoice(
            invoice_id=batch.id, number=" + ".join(numbers)[:200], payment_reference=batch.reference,
            amount=Money(batch.amount_minor, batch.currency), client_email=client.email if client else None,
            return_path=f"/invoices?batch={batch.id}")
        batch_id = batch.id
        await open_checkout(sessionmaker=sessionmaker, provider=provider, method=method, invoice=checkout_invoice,
                            idempotency_key=batch.idempotency_key,
                            reload=lambda session: BatchRepository(session).get(batch_id, for_update=True))
    async with unit_of_work(sessionmaker) as session:
        return await batch_reads.batch_view(session, client_id=client_id, batch_id=batch.id)


async def capture_batch(*, sessionmaker: async_sessionmaker[AsyncSession], providers: dict[str, PaymentProvider],
                        clock: Clock, settings: BillingSettings, client_id: uuid.UUID, batch_id: uuid.UUID,
                        provider_ref: str) -> PaymentBatchPublic:
    """Back from the provider's page (a provider that captures on return, e.g. PayPal): take what the client
    approved for the batch and apply it once, as a notification would."""
    async with unit_of_work(sessionmaker) as session:
        batch = await BatchRepository(session).get(batch_id)
        if batch is None or batch.client_id != client_id or batch.provider_ref != provider_ref:
            raise NotFound("No such checkout.")
        provider = providers.get(batch.provider)
        if provider is None:
            raise NotFound("No such checkout.")
        checkout_invoice = CheckoutInvoice(invoice_id=batch.id, number=batch.reference,
                                           payment_reference=batch.reference,
                                           amount=Money(batch.amount_minor, batch.currency))
        key = f"{batch.idempotency_key}-capture"
    try:
        payments = await provider.capture(checkout_ref=provider_ref, invoice=checkout_invoice, idempotency_key=key)
    except ProviderError as exc:
        raise ServiceUnavailable(f"{batch.provider} could not be reached; your payment is confirmed when it "
                                 f"answers.") from exc
    for payment in payments:
        async with unit_of_work(sessionmaker) as session:
            await apply_provider_payment(session=session, clock=clock, settings=settings, payment=payment)
    async with unit_of_work(sessionmaker) as session:
        return await batch_reads.batch_view(session, client_id=client_id, batch_id=batch_id)

"""Paying an invoice (B-12, B-19, B-20): a provider checkout whose idempotency key is committed before the call,
or a transfer the client reports for staff to confirm."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from abono.money import Money, MoneyModel
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.payments import rules
from billing.payments.models import AttemptStatus, PaymentAttempt, TransferReport
from billing.payments.provider import CheckoutInvoice, PaymentProvider, ProviderError
from billing.payments.repository import AttemptRepository, TransferReportRepository
from billing.payments.schemas import PayInstructions, TransferReportCreate


async def _payable(session: AsyncSession, *, client_id: uuid.UUID, invoice_id: uuid.UUID,
                   for_update: bool = False) -> tuple[Invoice, Client | None]:
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=for_update)
    if invoice is None or invoice.client_id != client_id:
        raise NotFound("No such invoice.")
    if invoice.status != InvoiceStatus.UNPAID:
        raise Conflict(f"This invoice is {invoice.status}: there is nothing to pay.")
    if invoice.total_minor <= 0:
        raise Conflict("Nothing is left to pay on this invoice (credit covers it).")
    return invoice, await ClientRepository(session).get(client_id)


def check_method_discount(*, settings: BillingSettings, invoice: Invoice, method: str) -> None:
    """B-12: the invoice's lines priced the discount of `invoice.payment_method`; they never change after issue
    (B-9), so a method earning a different discount must not pay this invoice as issued."""
    assumed = rules.method_discount_percent(settings=settings, method=invoice.payment_method)
    offered = rules.method_discount_percent(settings=settings, method=method)
    if assumed != offered:
        raise Conflict(f"This invoice was issued with the {invoice.payment_method or 'no'} payment-method discount "
                       f"({assumed}%); paying by {method} earns {offered}%. Pay by {invoice.payment_method} or ask "
                       "for the invoice to be re-issued.")


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
                          invoice_id: uuid.UUID) -> list[str]:
    """B-20: the methods this client may use for this invoice."""
    invoice, client = await _payable(session, client_id=client_id, invoice_id=invoice_id)
    return allowed_methods(settings=settings, invoice=invoice, client=client)


def _instructions(invoice: Invoice, method: str, attempt: PaymentAttempt | None, text: str) -> PayInstructions:
    amount = Money(invoice.total_minor, invoice.currency)
    return PayInstructions(invoice_id=invoice.id, method=method, amount=MoneyModel.of(amount),
                           payment_reference=invoice.payment_reference,
                           redirect_url=attempt.redirect_url if attempt else None,
                           provider_ref=attempt.provider_ref if attempt else None, instructions=text)


async def _start_attempt(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: BillingSettings,
                         client_id: uuid.UUID, invoice_id: uuid.UUID, method: str
                         ) -> tuple[Invoice, Client | None, PaymentAttempt]:
    """Validate and store the attempt (its idempotency key) in a committed transaction of its own; an attempt for
    the same invoice, provider and amount still waiting is reused, with its key."""
    async with unit_of_work(sessionmaker) as session:
        invoice, client = await _payable(session, client_id=client_id, invoice_id=invoice_id, for_update=True)
        amount = Money(invoice.total_minor, invoice.currency)
        rules.check_method(settings=settings, method=method, country=client.country if client else None,
                           amount=amount)
        check_method_discount(settings=settings, invoice=invoice, method=method)
        attempts = AttemptRepository(session)
        attempt = await attempts.waiting(invoice_id=invoice.id, provider=method, amount_minor=amount.amount_minor,
                                         currency=amount.currency)
        if attempt is None:
            attempt_id = uuid.uuid4()
            attempt = PaymentAttempt(id=attempt_id, invoice_id=invoice.id, client_id=client_id, provider=method,
                                     amount_minor=amount.amount_minor, currency=amount.currency,
                                     idempotency_key=f"abono-pay-{attempt_id}", status=AttemptStatus.STARTED.value,
                                     created_at=clock.now())
            await attempts.add(attempt)
    return invoice, client, attempt


async def pay_invoice(*, sessionmaker: async_sessionmaker[AsyncSession], providers: dict[str, PaymentProvider],
                      clock: Clock, settings: BillingSettings, client_id: uuid.UUID, invoice_id: uuid.UUID,
                      method: str) -> PayInstructions:
    """Start paying an invoice: a provider's payment page, or transfer instructions (B-19, B-20)."""
    if method == "transfer":
        async with unit_of_work(sessionmaker) as session:
            invoice, client = await _payable(session, client_id=client_id, invoice_id=invoice_id)
            rules.check_method(settings=settings, method=method, country=client.country if client else None,
                               amount=Money(invoice.total_minor, invoice.currency))
            return _instructions(invoice, method, None, (
                f"Transfer the amount quoting reference {invoice.payment_reference}, then report it at "
                f"POST /invoices/{invoice.id}/transfer-report; staff confirm it once the money arrives."))
    provider = providers.get(method)
    if provider is None and method in settings.payment_methods_implemented:
        raise InvalidInput(f"Method {method!r} is not configured here.")
    invoice, client, attempt = await _start_attempt(sessionmaker=sessionmaker, clock=clock, settings=settings,
                                                    client_id=client_id, invoice_id=invoice_id, method=method)
    if provider is None:  # check_method refused anything else already
        raise InvalidInput(f"Method {method!r} is not offered.")
    if attempt.status == AttemptStatus.OPEN and attempt.redirect_url:
        return _instructions(invoice, method, attempt, "Continue at the provider's page.")
    checkout_invoice = CheckoutInvoice(invoice_id=invoice.id, number=invoice.number,
                                       payment_reference=invoice.payment_reference,
                                       amount=Money(attempt.amount_minor, attempt.currency),
                                       client_email=client.email if client else None)
    try:
        checkout = await provider.create_checkout(invoice=checkout_invoice, idempotency_key=attempt.idempotency_key)
    except ProviderError as exc:
        async with unit_of_work(sessionmaker) as session:
            stored = await AttemptRepository(session).get(attempt.id)
            if stored is not None:
                stored.error = str(exc)[:1000]  # stays "started": the next try reuses its key
        raise ServiceUnavailable(f"{method} could not be reached; try again.") from exc
    async with unit_of_work(sessionmaker) as session:
        stored = await AttemptRepository(session).get(attempt.id, for_update=True)
        assert stored is not None
        if stored.status == AttemptStatus.STARTED:
            stored.status = AttemptStatus.OPEN.value
        stored.provider_ref, stored.redirect_url, stored.error = checkout.provider_ref, checkout.redirect_url, None
        attempt = stored
    return _instructions(invoice, method, attempt, "Continue at the provider's page.")


async def report_transfer(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                          invoice_id: uuid.UUID, report: TransferReportCreate) -> TransferReport:
    """B-19: record the client's transfer report (once per invoice and reference); staff confirm it later."""
    invoice, client = await _payable(session, client_id=client_id, invoice_id=invoice_id)
    rules.check_method(settings=settings, method="transfer", country=client.country if client else None,
                       amount=Money(invoice.total_minor, invoice.currency))
    check_method_discount(settings=settings, invoice=invoice, method=report.channel)
    return await TransferReportRepository(session).add_once(TransferReport(
        id=uuid.uuid4(), invoice_id=invoice.id, client_id=client_id, channel=report.channel,
        reference=report.reference, amount_minor=report.amount_minor, currency=invoice.currency,
        paid_on=report.paid_on, proof=report.proof, reported_at=clock.now()))


async def transfer_reports(*, session: AsyncSession, invoice_id: uuid.UUID | None, limit: int
                           ) -> list[TransferReport]:
    return await TransferReportRepository(session).newest(invoice_id=invoice_id, limit=limit)

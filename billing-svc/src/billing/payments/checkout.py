"""Paying an invoice at a provider (B-12, B-19, B-20): the payment attempt and its idempotency key are committed in a
transaction of their own before the provider is called, and the provider's answer in another; so this flow opens
and commits its own transactions (it takes a sessionmaker, not the request's session).

Back from the provider's page (`capture_on_return`), the checkout the client approved is captured (PayPal's order
capture; a provider that captures by itself reports what it holds) and applied once per payment key, so a PayPal
payment needs no webhook and no staff step; the provider is called outside any transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.errors import InvalidInput, NotFound, ServiceUnavailable
from abono.money import Money, MoneyModel
from billing.business_settings.service import transfer_instructions_for
from billing.clients.models import Client
from billing.config import BillingSettings
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.invoices.repricing import reprice_for_method
from billing.payments import rules
from billing.payments.applying import apply_provider_payment
from billing.payments.methods import payable
from billing.payments.models import AttemptStatus, PaymentAttempt, PaymentBatch
from billing.payments.provider import CheckoutInvoice, PaymentProvider, ProviderError
from billing.payments.repository import AttemptRepository
from billing.payments.schemas import CaptureResult, PayInstructions


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
        invoice, client = await payable(session, client_id=client_id, invoice_id=invoice_id, for_update=True)
        # B-22: another method than the invoice was priced for re-prices its method discount (B-12).
        await reprice_for_method(session=session, settings=settings, invoice=invoice, method=method)
        amount = Money(invoice.total_minor, invoice.currency)
        rules.check_method(settings=settings, method=method, country=client.country if client else None,
                           amount=amount)
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
            invoice, client = await payable(session, client_id=client_id, invoice_id=invoice_id)
            rules.check_method(settings=settings, method=method, country=client.country if client else None,
                               amount=Money(invoice.total_minor, invoice.currency))
            answer = _instructions(invoice, method, None, (
                f"Transfer the amount quoting reference {invoice.payment_reference}, then report it at "
                f"POST /invoices/{invoice.id}/transfer-report; staff confirm it once the money arrives."))
            answer.bank = transfer_instructions_for(settings, currency=invoice.currency,
                                                    country=client.country if client else None)
            return answer
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
    attempt_id = attempt.id
    attempt = await open_checkout(sessionmaker=sessionmaker, provider=provider, method=method,
                                  invoice=checkout_invoice, idempotency_key=attempt.idempotency_key,
                                  reload=lambda session: AttemptRepository(session).get(attempt_id, for_update=True))
    return _instructions(invoice, method, attempt, "Continue at the provider's page.")


Opened = TypeVar("Opened", PaymentAttempt, PaymentBatch)


async def open_checkout(*, sessionmaker: async_sessionmaker[AsyncSession], provider: PaymentProvider, method: str,
                        invoice: CheckoutInvoice, idempotency_key: str,
                        reload: Callable[[AsyncSession], Awaitable[Opened | None]]) -> Opened:
    """The provider's hosted checkout for a started attempt or batch (`reload` reads its row, locked): the row is then
    open with the page's address. When the provider cannot be reached the error is recorded and the row stays
    started, so the next try reuses its idempotency key."""
    try:
        checkout = await provider.create_checkout(invoice=invoice, idempotency_key=idempotency_key)
    except ProviderError as exc:
        async with unit_of_work(sessionmaker) as session:
            stored = await reload(session)
            if stored is not None:
                stored.error = str(exc)[:1000]
        raise ServiceUnavailable(f"{method} could not be reached; try again.") from exc
    async with unit_of_work(sessionmaker) as session:
        opened = await reload(session)
        assert opened is not None
        if opened.status == AttemptStatus.STARTED:
            opened.status = AttemptStatus.OPEN.value
        opened.provider_ref, opened.redirect_url, opened.error = checkout.provider_ref, checkout.redirect_url, None
    return opened


async def capture_on_return(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: dict[str, PaymentProvider],
    clock: Clock,
    settings: BillingSettings,
    client_id: uuid.UUID,
    invoice_id: uuid.UUID,
    method: str,
    provider_ref: str,
) -> CaptureResult:
    provider = providers.get(method)
    async with unit_of_work(sessionmaker) as session:
        attempt = await AttemptRepository(session).by_ref(
            invoice_id=invoice_id, client_id=client_id, provider=method, provider_ref=provider_ref
        )
        invoice = await InvoiceRepository(session).get(invoice_id)
        if provider is None or attempt is None or invoice is None:
            raise NotFound("No such checkout for this invoice.")
        checkout_invoice = CheckoutInvoice(
            invoice_id=invoice.id,
            number=invoice.number,
            payment_reference=invoice.payment_reference,
            amount=Money(attempt.amount_minor, attempt.currency),
        )
        key = f"{attempt.idempotency_key}-capture"
    try:
        payments = await provider.capture(checkout_ref=provider_ref, invoice=checkout_invoice, idempotency_key=key)
    except ProviderError as exc:
        raise ServiceUnavailable(f"{method} could not be reached; your payment is confirmed when it answers.") from exc
    outcomes = []
    for payment in payments:
        async with unit_of_work(sessionmaker) as session:
            outcomes.append(
                await apply_provider_payment(session=session, clock=clock, settings=settings, payment=payment)
            )
    async with unit_of_work(sessionmaker) as session:
        current = await InvoiceRepository(session).get(invoice_id)
        assert current is not None
        status = current.status
    return CaptureResult(
        invoice_id=invoice_id, invoice_status=status, outcome=outcomes[0] if outcomes else "not approved yet"
    )

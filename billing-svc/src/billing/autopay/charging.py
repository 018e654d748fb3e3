"""B-21: the scheduler's automatic charges of auto-pay clients' renewal invoices, one invoice or one attempt in the
caller's transaction (`billing.autopay.jobs.run_autopay` runs them, a transaction each).

Schedule of an invoice due on D: the first charge on D - `autopay_days_before`, then a retry `autopay_retry_days`
after it, none after the B-4 day (D + `suspend_after_days`); the scheduler runs this before dunning, so the last
retry comes before B-4 suspends. Each attempt is a row (unique per invoice and attempt number) holding its own
idempotency key, committed before the provider is asked (planning); a late run plans only the latest attempt whose
day has come, never the ones it missed. Sending claims a pending row with SKIP LOCKED and asks the provider under
that lock; the answer, and the payment it brings (applied once per provider payment, B-19), commit with the row's
new state. So two schedulers charge each attempt once; a crash mid-call leaves it pending, and the next run asks
again with the same key (the provider replays its first answer).

A decline waits for the next attempt; the last declined attempt tells the client how to pay by hand
(`AutomaticPaymentFailed`, the seam shared with direct debit). A bank asking for authentication (SCA) ends the
automatic charges of that invoice at once with an "action needed" notice (the same event, `action_needed`): never a
silent loop.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.money import Money
from billing.autopay.models import AutopayCharge, ChargeStatus, MethodStatus, SavedPaymentMethod
from billing.autopay.repository import ChargeRepository, MethodRepository, SwitchRepository
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.repricing import reprice_for_method
from billing.payments.applying import apply_provider_payment
from billing.payments.automatic import report_failure
from billing.payments.provider import (
    ChargeRefused,
    CheckoutInvoice,
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderPaymentStatus,
    SavedMethod,
    SavesMethods,
)

log = structlog.get_logger("billing.autopay")
STOPPED = (ChargeStatus.SUCCEEDED, ChargeStatus.ACTION_REQUIRED)  # no further attempt after these


def schedule(due_on: date, settings: BillingSettings) -> list[date]:
    """The days an invoice due on `due_on` is charged (B-21): the first charge, then each retry up to the B-4 day."""
    first = due_on - timedelta(days=settings.autopay_days_before)
    last = due_on + timedelta(days=settings.suspend_after_days)
    return [first, *(d for d in (first + timedelta(days=r) for r in sorted(settings.autopay_retry_days)) if d <= last)]


def charge_key(invoice_id: uuid.UUID, attempt: int) -> str:
    """Each attempt's own idempotency key, stored with it before the provider is called."""
    return f"abono-autopay-{invoice_id}-{attempt}"


async def plan_one(
    session: AsyncSession,
    invoice_id: uuid.UUID,
    method_id: uuid.UUID,
    *,
    today: date,
    clock: Clock,
    settings: BillingSettings,
    providers: Mapping[str, PaymentProvider],
) -> bool:
    invoice = await InvoiceRepository(session).get(invoice_id, for_update=True, skip_locked=True)
    if invoice is None or invoice.status != InvoiceStatus.UNPAID:
        return False  # paid meanwhile, or another scheduler is planning it
    days = schedule(invoice.due_on, settings)
    reached = sum(1 for d in days if d <= today)
    charges = ChargeRepository(session)
    earlier = await charges.of_invoice(invoice.id)
    if reached == 0 or any(c.status in STOPPED or c.status == ChargeStatus.PENDING for c in earlier):
        return False
    if earlier and earlier[-1].attempt >= reached:
        return False  # today's attempt was made
    method = await MethodRepository(session).get(method_id)
    if (
        method is None
        or method.status != MethodStatus.ACTIVE
        or not isinstance(providers.get(method.provider), SavesMethods)
    ):
        return False
    # B-22: the method that pays prices the invoice's payment-method discount (B-12).
    await reprice_for_method(session=session, settings=settings, invoice=invoice, method=method.provider)
    return await charges.add_once(
        AutopayCharge(
            id=uuid.uuid4(),
            invoice_id=invoice.id,
            client_id=invoice.client_id,
            method_id=method.id,
            attempt=reached,
            attempts_planned=len(days),
            scheduled_on=days[reached - 1],
            idempotency_key=charge_key(invoice.id, reached),
            amount_minor=invoice.total_minor,
            currency=invoice.currency,
            status=ChargeStatus.PENDING.value,
            created_at=clock.now(),
        )
    )


async def send_charge(
    session: AsyncSession,
    charge_id: uuid.UUID,
    *,
    clock: Clock,
    settings: BillingSettings,
    providers: Mapping[str, PaymentProvider],
) -> bool:
    """Ask the provider for one pending attempt under its row lock; True if it paid the invoice now."""
    charges = ChargeRepository(session)
    charge = await charges.claim_pending(charge_id)
    if charge is None:
        return False  # sent already, or another scheduler is sending it
    invoice = await InvoiceRepository(session).get(charge.invoice_id)
    switch = await SwitchRepository(session).get(charge.client_id)
    method = await MethodRepository(session).get(charge.method_id)
    provider = providers.get(method.provider) if method is not None else None
    assert invoice is not None
    if (
        invoice.status != InvoiceStatus.UNPAID
        or switch is None
        or switch.method_id != charge.method_id
        or method is None
        or method.status != MethodStatus.ACTIVE
        or not isinstance(provider, SavesMethods)
    ):
        # Settled otherwise, or auto-pay stopped or moved to another method: stopping takes effect at once.
        charge.status, charge.finished_at = ChargeStatus.SKIPPED.value, clock.now()
        return False
    saved = SavedMethod(
        provider=method.provider,
        customer_ref=method.customer_ref or "",
        method_ref=method.method_ref or "",
        label=method.label,
    )
    try:
        payment = await provider.charge_saved(
            method=saved,
            invoice=CheckoutInvoice(
                invoice_id=invoice.id,
                number=invoice.number,
                payment_reference=invoice.payment_reference,
                amount=Money(charge.amount_minor, charge.currency),
            ),
            idempotency_key=charge.idempotency_key,
        )
    except ProviderError as exc:  # unreachable: stays pending, asked again next run with the same key
        charge.error = str(exc)[:1000]
        log.warning("autopay_charge_unanswered", charge_id=str(charge.id), error=charge.error)
        return False
    except ChargeRefused as refused:
        await _refused(session, charge, invoice, method, refused, clock=clock)
        return False
    charge.status, charge.finished_at = ChargeStatus.SUCCEEDED.value, clock.now()
    charge.provider_payment_id, charge.error = payment.payment_id, None
    outcome = await apply_provider_payment(session=session, clock=clock, settings=settings, payment=payment)
    log.info("autopay_charged", charge_id=str(charge.id), invoice_id=str(invoice.id), outcome=outcome)
    return outcome == "applied"


# B-21: what the client reads in the notice, per decline code and language (the provider's own words otherwise).
_REASONS = {
    "authentication_required": ("su banco pide que confirme el pago (autenticación del titular); no lo "
                                "reintentaremos solos", "your bank asks you to confirm the payment (cardholder "
                                "authentication); we will not retry it by ourselves"),
    "insufficient_funds": ("fondos insuficientes", "insufficient funds"),
    "expired_card": ("la tarjeta está vencida", "the card has expired"),
    "card_declined": ("el banco rechazó el cobro", "the bank declined the charge"),
    "generic_decline": ("el banco rechazó el cobro", "the bank declined the charge"),
    "instrument_declined": ("PayPal rechazó el cobro (sin fondos ni otro medio en la cuenta)",
                            "PayPal declined the charge (no funds or other method in the account)"),
    "payer_action_required": ("PayPal pide que usted apruebe el pago en su cuenta; no lo reintentaremos solos",
                              "PayPal asks you to approve the payment in your account; we will not retry it by "
                              "ourselves"),
    "payment_source_cannot_be_used": ("la autorización de PayPal ya no es válida; guarde su cuenta otra vez",
                                      "the PayPal authorization is no longer valid; save your account again"),
}


def reason_text(refused: ChargeRefused, *, label: str, attempts: int, language: str) -> str:
    """The failure in the client's language: the card, why, and how many automatic attempts were made."""
    es, en = _REASONS.get(refused.code, (str(refused), str(refused)))
    if language == "en":
        return f"{label}: {en} ({attempts} automatic attempt{'s' if attempts != 1 else ''})"
    return f"{label}: {es} ({attempts} {'intento automático' if attempts == 1 else 'intentos automáticos'})"


async def _refused(
    session: AsyncSession,
    charge: AutopayCharge,
    invoice: Invoice,
    method: SavedPaymentMethod,
    refused: ChargeRefused,
    *,
    clock: Clock,
) -> None:
    """A decline waits for the next attempt; the last one, or SCA at once, is told to the client through the shared
    `AutomaticPaymentFailed` (once per provider payment), with the link to pay by hand."""
    charge.failure_code, charge.finished_at, charge.error = refused.code, clock.now(), None
    charge.provider_payment_id = refused.payment_id
    charge.status = (ChargeStatus.ACTION_REQUIRED if refused.action_required else ChargeStatus.DECLINED).value
    log.info("autopay_refused", charge_id=str(charge.id), invoice_id=str(invoice.id), code=refused.code,
             attempt=charge.attempt, action_required=refused.action_required)
    if not refused.action_required and charge.attempt < charge.attempts_planned:
        return  # retried on the next day of the schedule, silently
    client = await ClientRepository(session).get(invoice.client_id)
    failed = ProviderPayment(
        provider=method.provider, payment_id=refused.payment_id or charge.idempotency_key,
        status=ProviderPaymentStatus.FAILED, amount=Money(charge.amount_minor, charge.currency),
        invoice_id=invoice.id, reference=invoice.payment_reference, automatic=True,
        failure_reason=reason_text(refused, label=method.label, attempts=charge.attempt,
                                   language=client.language if client else "es"))
    await report_failure(session=session, clock=clock, invoice=invoice, payment=failed,
                         action_needed=refused.action_required)

"""B-15: a refund goes back through the method that paid. The staff refund records what each provider must send back
(`request_provider_refunds`, in its transaction, idempotency key included); `send_refunds` then calls the provider
with that stored key, so a retry after a crash never refunds twice."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.money import Money
from billing.invoices.models import Invoice
from billing.payments.models import Payment, ProviderRefund
from billing.payments.provider import PaymentProvider, ProviderError

log = structlog.get_logger("billing.payments")
PROVIDERS = ("stripe", "mercadopago")


async def request_provider_refunds(*, session: AsyncSession, clock: Clock, invoice: Invoice, amount: Money
                                   ) -> list[ProviderRefund]:
    """Record the refunds owed through the providers that paid `invoice`, up to `amount`, largest payment first.
    Once per payment (unique); money paid otherwise (transfer, credit) is refunded by staff by hand."""
    payments = list(await session.scalars(select(Payment).where(
        Payment.invoice_id == invoice.id, Payment.method.in_(PROVIDERS), Payment.refunded_at.is_(None),
    ).order_by(Payment.amount_minor.desc())))
    left, made = amount, []
    for payment in payments:
        if left.amount_minor <= 0:
            break
        part = min(left, Money(payment.amount_minor - payment.credited_minor, payment.currency))
        if part.amount_minor <= 0:
            continue
        row_id = uuid.uuid4()
        inserted = await session.execute(insert(ProviderRefund).values(
            id=row_id, invoice_id=invoice.id, payment_id=payment.id, provider=payment.method,
            provider_payment_id=payment.payment_key.split(":", 1)[1], amount_minor=part.amount_minor,
            currency=part.currency, idempotency_key=f"abono-refund-{payment.id}", status="requested",
            requested_at=clock.now(),
        ).on_conflict_do_nothing(index_elements=[ProviderRefund.payment_id]).returning(ProviderRefund.id))
        if inserted.first() is not None:
            payment.refunded_at = clock.now()
            refund = await session.get(ProviderRefund, row_id)
            assert refund is not None
            made.append(refund)
        left -= part
    await session.flush()
    return made


async def send_refunds(*, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                       providers: dict[str, PaymentProvider], limit: int = 50) -> int:
    """Send requested refunds to their providers with their stored keys; returns how many were done."""
    done = 0
    async with unit_of_work(sessionmaker) as session:
        ids = list(await session.scalars(select(ProviderRefund.id).where(ProviderRefund.status == "requested")
                                         .order_by(ProviderRefund.requested_at).limit(limit)))
    for refund_id in ids:
        async with unit_of_work(sessionmaker) as session:
            refund = await session.scalar(select(ProviderRefund).where(
                ProviderRefund.id == refund_id, ProviderRefund.status == "requested").with_for_update(skip_locked=True))
            provider = providers.get(refund.provider) if refund is not None else None
            if refund is None or provider is None:
                continue
            try:
                refund.provider_refund_id = await provider.refund(
                    payment_id=refund.provider_payment_id, amount=Money(refund.amount_minor, refund.currency),
                    idempotency_key=refund.idempotency_key)
            except ProviderError as exc:  # stays "requested": retried with the same key
                refund.error = str(exc)[:2000]
                log.warning("provider_refund_failed", provider=refund.provider, error=refund.error)
                continue
            refund.status, refund.done_at, refund.error = "done", clock.now(), None
            done += 1
    return done

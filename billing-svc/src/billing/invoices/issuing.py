"""Issuing an invoice: number, payment reference (B-19), frozen lines with their discounts (B-9, B-12),
credit applied at once (B-10), `InvoiceIssued` in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import InvoiceIssued, InvoiceLineInfo
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.config import BillingSettings
from billing.credit.repository import CreditRepository
from billing.discounts.engine import PricedLine
from billing.invoices.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.settlement import settle

CREDIT_APPLIED = "applied to invoice"  # the reason of the credit entry an invoice's issue uses (B-10)


class IssuedFields(Protocol):
    """What `InvoiceIssued` reads of an invoice (an `Invoice`, or the renewal run's plan of one)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def client_id(self) -> uuid.UUID: ...
    @property
    def number(self) -> str: ...
    @property
    def payment_reference(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def due_on(self) -> date: ...
    @property
    def total_minor(self) -> int: ...


@dataclass(frozen=True)
class DraftLine:
    kind: str  # "service" | "restoration_fee"
    description: str
    priced: PricedLine
    service_ids: tuple[uuid.UUID, ...] = ()
    product_id: uuid.UUID | None = None
    cycle: str | None = None
    period_start_on: date | None = None
    period_end_on: date | None = None


IssuedLine = tuple[str, int, tuple[uuid.UUID, ...], str | None]  # description, amount, services, cycle


def invoice_issued(invoice: IssuedFields, lines: Sequence[IssuedLine],
                   event_id: uuid.UUID | None = None) -> InvoiceIssued:
    """`InvoiceIssued` of an invoice and its lines (description, amount after discounts, services, cycle): the one
    builder both renewal paths and every other issue use, so the envelopes they write cannot differ. `event_id`: a
    random one drawn by the caller (the renewal run draws them by the chunk: pydantic's default costs more than
    building the rest of the event); a new `uuid4` if None."""
    currency = invoice.currency
    return InvoiceIssued(
        event_id=event_id or uuid.uuid4(), invoice_id=invoice.id, client_id=invoice.client_id, number=invoice.number,
        occurred_at=invoice.issued_at,
        payment_reference=invoice.payment_reference, total=MoneyModel.of(Money(invoice.total_minor, currency)),
        due_on=invoice.due_on, kind=invoice.kind,
        lines=[InvoiceLineInfo(description=description, amount=MoneyModel.of(Money(amount_minor, currency)),
                               service_id=services[0] if len(services) == 1 else None, cycle=cycle)
               for description, amount_minor, services, cycle in lines])


def discount_rows(line: PricedLine) -> list[dict[str, Any]]:
    return [{"rule": d.rule, "label": d.label, "percent": None if d.percent is None else str(d.percent),
             "amount_minor": d.amount.amount_minor} for d in line.discounts]


def withheld_rows(line: PricedLine) -> list[dict[str, Any]]:
    """The discounts the engine withheld from the line, with the rule and the words that say why (#12 item 10)."""
    return [{"rule": w.rule, "label": w.label, "because": w.because, "reason": w.reason} for w in line.withheld]


async def issue_invoice(
    *, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID, currency: str,
    kind: InvoiceKind, due_on: date, lines: Sequence[DraftLine], payment_method: str | None = None, note: str = "",
    invoice_id: uuid.UUID | None = None,
) -> Invoice:
    """Create, number and announce one invoice; existing credit pays what it can, and may settle it."""
    repo = InvoiceRepository(session)
    now = clock.now()
    subtotal = sum((d.priced.gross for d in lines), Money.zero(currency))
    discount = sum((d.priced.discount_total for d in lines), Money.zero(currency))
    invoice = Invoice(
        id=invoice_id or uuid.uuid4(), number=await repo.next_number(settings.invoice_number_prefix),
        payment_reference=repo.new_payment_reference(settings.payment_reference_length),
        client_id=client_id, currency=currency, kind=kind.value, status=InvoiceStatus.UNPAID.value, issued_at=now,
        due_on=due_on, subtotal_minor=subtotal.amount_minor, discount_minor=discount.amount_minor,
        credit_applied_minor=0, total_minor=(subtotal - discount).amount_minor, payment_method=payment_method,
        note=note,
    )
    rows = [
        InvoiceLine(
            invoice_id=invoice.id, position=index, kind=d.kind, description=d.description,
            service_ids=list(d.service_ids), product_id=d.product_id, cycle=d.cycle,
            period_start_on=d.period_start_on, period_end_on=d.period_end_on, quantity=d.priced.quantity,
            unit_price_minor=d.priced.unit_price.amount_minor, gross_minor=d.priced.gross.amount_minor,
            discount_minor=d.priced.discount_total.amount_minor, amount_minor=d.priced.total.amount_minor,
            discounts=discount_rows(d.priced), withheld=withheld_rows(d.priced),
        )
        for index, d in enumerate(lines, start=1)
    ]
    await repo.add(invoice, rows)
    credit = CreditRepository(session)
    await credit.lock(client_id)
    available = await credit.balance(client_id, currency)
    use = min(available.amount_minor, invoice.total_minor)
    if use > 0:  # B-10: credit pays the next invoices automatically
        await credit.add(client_id=client_id, amount=Money(-use, currency), reason=CREDIT_APPLIED,
                               invoice_id=invoice.id, at=now)
        invoice.credit_applied_minor = use
        invoice.total_minor -= use
    issued = [(r.description, r.amount_minor, tuple(r.service_ids), r.cycle) for r in rows]
    await emit(session, invoice_issued(invoice, issued))
    if invoice.total_minor == 0:
        await settle(session=session, clock=clock, settings=settings, invoice=invoice, method="credit")
    return invoice

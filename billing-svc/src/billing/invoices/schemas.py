import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from abono.bounds import PositiveMoneyMinor
from abono.money import Money, MoneyModel
from billing.credit.movements import MovementKind
from billing.cycles import Cycle
from billing.invoices.issuing import DraftLine, discount_rows, withheld_rows
from billing.invoices.models import Invoice, InvoiceLine


class DiscountLine(BaseModel):
    rule: str
    label: str
    percent: str | None
    amount: MoneyModel


class WithheldLine(BaseModel):
    """A discount or coupon the line would have had and does not, and why (e.g. B-13: a suspended service)."""

    rule: str  # the discount withheld ("coupon", "cycle", ...)
    label: str  # what it would have been ("Cupón BIENVENIDA")
    because: str  # the rule that withholds it ("B-13")
    reason: str  # in words a client understands


class LineFigures(BaseModel):
    """What a preview line and an invoice line show alike: units, price, every discount and every one withheld."""

    quantity: int
    unit_price: MoneyModel
    gross: MoneyModel
    discounts: list[DiscountLine]
    withheld: list[WithheldLine]
    amount: MoneyModel

    @staticmethod
    def figures(*, currency: str, quantity: int, unit_minor: int, gross_minor: int, amount_minor: int,
                discounts: Sequence[Mapping[str, Any]], withheld: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The fields above from minor units and the stored rows (`discount_rows`, `withheld_rows`)."""

        def m(minor: int) -> MoneyModel:
            return MoneyModel.of(Money(minor, currency))

        return {"quantity": quantity, "unit_price": m(unit_minor), "gross": m(gross_minor), "amount": m(amount_minor),
                "discounts": [DiscountLine(rule=d["rule"], label=d["label"], percent=d["percent"],
                                           amount=m(d["amount_minor"])) for d in discounts],
                "withheld": [WithheldLine(rule=w["rule"], label=w["label"], because=w["because"], reason=w["reason"])
                             for w in withheld]}


class PreviewLine(LineFigures):
    """A line as it would be invoiced (an order's or an upgrade's preview), every discount shown."""

    kind: str
    description: str
    product_code: str | None
    cycle: Cycle | None
    period_start_on: date | None
    period_end_on: date | None

    @classmethod
    def of(cls, draft: DraftLine, product_code: str | None) -> "PreviewLine":
        priced = draft.priced
        return cls(
            kind=draft.kind, description=draft.description, product_code=product_code,
            cycle=Cycle(draft.cycle) if draft.cycle else None, period_start_on=draft.period_start_on,
            period_end_on=draft.period_end_on,
            **cls.figures(currency=priced.gross.currency, quantity=priced.quantity,
                          unit_minor=priced.unit_price.amount_minor, gross_minor=priced.gross.amount_minor,
                          amount_minor=priced.total.amount_minor, discounts=discount_rows(priced),
                          withheld=withheld_rows(priced)))


class InvoiceLinePublic(LineFigures):
    kind: str
    description: str
    service_ids: list[uuid.UUID]
    cycle: str | None
    period_start_on: date | None
    period_end_on: date | None

    @classmethod
    def of(cls, line: InvoiceLine, currency: str) -> "InvoiceLinePublic":
        return cls(kind=line.kind, description=line.description, service_ids=line.service_ids, cycle=line.cycle,
                   period_start_on=line.period_start_on, period_end_on=line.period_end_on,
                   **cls.figures(currency=currency, quantity=line.quantity, unit_minor=line.unit_price_minor,
                                 gross_minor=line.gross_minor, amount_minor=line.amount_minor,
                                 discounts=line.discounts, withheld=line.withheld))


class InvoiceFields(Protocol):
    """What `InvoicePublic.of` reads: an `Invoice`, or a row of the `invoices` table's columns."""

    id: uuid.UUID
    client_id: uuid.UUID
    number: str
    payment_reference: str
    currency: str
    kind: str
    status: str
    issued_at: datetime
    due_on: date
    subtotal_minor: int
    discount_minor: int
    credit_applied_minor: int
    total_minor: int
    settled_at: datetime | None
    paid_method: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    note: str


class InvoicePublic(BaseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    number: str
    payment_reference: str
    kind: str
    status: str
    issued_at: datetime
    due_on: date
    subtotal: MoneyModel
    discount: MoneyModel
    credit_applied: MoneyModel
    total_due: MoneyModel
    settled_at: datetime | None
    paid_method: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    note: str

    @classmethod
    def of(cls, invoice: "Invoice | InvoiceFields") -> "InvoicePublic":
        def m(minor: int) -> MoneyModel:
            return MoneyModel.of(Money(minor, invoice.currency))

        return cls(id=invoice.id, client_id=invoice.client_id, number=invoice.number,
                   payment_reference=invoice.payment_reference, kind=invoice.kind, status=invoice.status,
                   issued_at=invoice.issued_at, due_on=invoice.due_on, subtotal=m(invoice.subtotal_minor),
                   discount=m(invoice.discount_minor), credit_applied=m(invoice.credit_applied_minor),
                   total_due=m(invoice.total_minor), settled_at=invoice.settled_at, paid_method=invoice.paid_method,
                   cancelled_at=invoice.cancelled_at, cancel_reason=invoice.cancel_reason, note=invoice.note)


class InvoiceDetail(InvoicePublic):
    lines: list[InvoiceLinePublic]


class TransferConfirmation(BaseModel):
    """Staff confirm a transfer the client reported (B-19): the amount received and the bank's reference."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_minor": 6000, "transfer_reference": "PREX-8842193"}
    ]})

    amount_minor: PositiveMoneyMinor
    transfer_reference: Annotated[str, Field(min_length=3, max_length=100)]
    method: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9_]{2,40}$")] = "transfer"


class PaymentApplied(BaseModel):
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_status: str
    credited: MoneyModel
    duplicate: bool


class StaffReason(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "El cliente cumplió sus tareas del mes (pago con tiempo)."}
    ]})

    reason: Annotated[str, Field(min_length=3, max_length=500)]


class SlaCreditPublic(BaseModel):
    """S-4: credit granted without asking because a service's month fell below the promised uptime."""

    service_id: uuid.UUID
    month: date
    credit_percent: int
    amount: MoneyModel
    created_at: datetime


class CreditBalance(BaseModel):
    balances: list[MoneyModel]
    sla_credits: list[SlaCreditPublic] = Field(default_factory=list)


class CreditMovementPublic(BaseModel):
    """One entry of my credit ledger: positive adds to the balance, negative uses it."""

    id: int
    at: datetime
    amount: MoneyModel
    kind: MovementKind
    invoice_id: uuid.UUID | None
    invoice_number: str | None


class CreditMovements(BaseModel):
    """A page of movements, newest first; `next_before` asks for the next (older) page, null at the end."""

    items: list[CreditMovementPublic]
    next_before: int | None

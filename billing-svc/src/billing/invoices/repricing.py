"""B-22: paying with another method than the invoice was priced for re-prices its payment-method discount (B-12)
instead of refusing: each service line is priced again for the new method (`discounts.engine.for_payment_method`),
the totals follow, and the invoice records the method it now assumes. Only an unpaid invoice, in the caller's
transaction, under its row lock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict
from abono.money import Money
from billing.config import BillingSettings
from billing.discounts.engine import AppliedDiscount, PricedLine, WithheldDiscount, for_payment_method
from billing.discounts.policy import policy_from
from billing.invoices.issuing import discount_rows
from billing.invoices.models import Invoice, InvoiceLine
from billing.invoices.repository import InvoiceRepository


def _priced(row: InvoiceLine, currency: str) -> PricedLine:
    def applied(d: dict[str, Any]) -> AppliedDiscount:
        percent = Decimal(d["percent"]) if d.get("percent") is not None else None
        return AppliedDiscount(d["rule"], d["label"], Money(int(d["amount_minor"]), currency), percent)

    return PricedLine(Money(row.unit_price_minor, currency), row.quantity, Money(row.gross_minor, currency),
                      tuple(applied(d) for d in row.discounts),
                      tuple(WithheldDiscount(w["rule"], w["label"], w["because"], w["reason"])
                            for w in row.withheld or []))


def method_percent(settings: BillingSettings, method: str | None) -> Decimal:
    """B-12: the discount a payment method earns (0 when none is configured)."""
    return settings.discount_payment_method_percent.get(method, Decimal(0)) if method else Decimal(0)


def _repriced(settings: BillingSettings, invoice: Invoice, rows: list[InvoiceLine],
              method: str) -> tuple[list[PricedLine | None], int, int]:
    """Each service line priced for `method` (None: a line no discount applies to), the discount and the total."""
    policy = policy_from(settings)
    priced: list[PricedLine | None] = []
    discount = 0
    for row in rows:
        line = for_payment_method(_priced(row, invoice.currency), policy=policy, method=method) \
            if row.kind == "service" else None
        priced.append(line)
        discount += line.discount_total.amount_minor if line is not None else row.discount_minor
    return priced, discount, invoice.subtotal_minor - discount - invoice.credit_applied_minor


async def total_for_method(*, session: AsyncSession, settings: BillingSettings, invoice: Invoice,
                           method: str) -> Money:
    """What paying `invoice` by `method` costs (B-22), shown before paying; nothing is written."""
    if method_percent(settings, method) == method_percent(settings, invoice.payment_method):
        return Money(invoice.total_minor, invoice.currency)
    _, _, total = _repriced(settings, invoice, await InvoiceRepository(session).lines(invoice.id), method)
    return Money(total, invoice.currency)


async def reprice_for_method(*, session: AsyncSession, settings: BillingSettings, invoice: Invoice,
                             method: str) -> bool:
    """Re-price `invoice` (locked, unpaid) for `method` if that changes its discount; True if it changed."""
    if method_percent(settings, method) == method_percent(settings, invoice.payment_method):
        return False
    rows = await InvoiceRepository(session).lines(invoice.id)
    priced, discount, total = _repriced(settings, invoice, rows, method)
    if total <= 0:  # credit applied at issue would now exceed it: not re-priced, staff re-issue it
        raise Conflict(f"Paying by {method} would leave nothing to pay after the credit applied; ask support.")
    for row, line in zip(rows, priced, strict=True):
        if line is not None:
            row.discounts = discount_rows(line)
            row.discount_minor, row.amount_minor = line.discount_total.amount_minor, line.total.amount_minor
    invoice.discount_minor, invoice.total_minor, invoice.payment_method = discount, total, method
    await session.flush()
    return True

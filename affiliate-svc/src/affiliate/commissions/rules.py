"""Pure rules of F-2: what a paid invoice earns, and what a refund takes back. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from abono.money import Money

HUNDRED = Decimal(100)


def commission_of(*, total: Money, lines: Sequence[dict[str, Any]], percent_for: Callable[[str | None], Decimal]
                  ) -> Money:
    """F-2: the commission of a paid invoice: each service line (a recurring product: it has a product kind) at its
    kind's percentage, rounded HALF_UP once on the sum; lines without a kind (fees) earn nothing. An invoice
    described without lines (an older billing) earns the default percentage of its total."""
    if not lines:
        return total.scale(percent_for(None) / HUNDRED)
    exact = sum((Decimal(line["amount_minor"]) * percent_for(line["product_kind"]) / HUNDRED
                 for line in lines if line.get("product_kind")), Decimal(0))
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), total.currency)


def reversal_of(*, commission: Money, already_reversed: Money, invoice_total: Money, refunded: Money | None) -> Money:
    """F-2: what a refund (its `refunded` share of the invoice) or a chargeback (`refunded` None: everything)
    takes back of a commission, never more than is left of it."""
    left = commission - already_reversed
    if left.amount_minor <= 0:
        return Money.zero(commission.currency)
    if refunded is None or invoice_total.amount_minor <= 0 or refunded >= invoice_total:
        return left
    share = commission.scale(Decimal(refunded.amount_minor) / Decimal(invoice_total.amount_minor))
    return min(share, left)

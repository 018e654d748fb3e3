"""The discount engine (B-12, B-13): pure functions over explicit policy data, no I/O.

Order of application on one invoice line:
1. bundle: every `bundle_size` identical services ordered together, `bundle_free` are free (whole units off);
   then 2x1 (B-12): `two_for_one_units` more whole units free (the partner's order was the paid one);
2. percentages, **added** (cycle + active-service tier + payment method + percentage coupon), optionally capped,
   taken once from what the bundle left and rounded HALF_UP once per line; the amount is then split back over the
   rules (largest remainder) so each rule's line shows its share and the shares sum exactly;
3. a fixed-amount coupon, spread over the lines in order.
No line ever goes below zero; a client with a suspended service gets nothing at all (B-13), and each discount or
coupon so withheld is listed on the line with its reason (`WithheldDiscount`), so the preview and the invoice say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from abono.money import Money
from billing.discounts.labels import SUSPENDED_REASON, spanish

HUNDRED = Decimal(100)
SUSPENDED = ("B-13", SUSPENDED_REASON)


@dataclass(frozen=True)
class DiscountPolicy:
    cycle_percent: Mapping[str, Decimal]
    active_service_tiers: Sequence[tuple[int, Decimal]]
    payment_method_percent: Mapping[str, Decimal]
    bundle_size: int
    bundle_free: int
    max_total_percent: Decimal | None = None

    def tier_percent(self, active_services: int) -> Decimal:
        """The highest tier whose minimum the client's active services reach (0 below the first)."""
        reached = [(minimum, pct) for minimum, pct in self.active_service_tiers if active_services >= minimum]
        return max(reached)[1] if reached else Decimal(0)


@dataclass(frozen=True)
class CouponTerms:
    code: str
    percent: Decimal | None = None
    amount: Money | None = None


@dataclass(frozen=True)
class DiscountContext:
    active_services: int = 0
    payment_method: str | None = None
    suspended: bool = False  # B-13
    coupon: CouponTerms | None = None
    bundle: bool = True  # only for services ordered together (not renewals)


@dataclass(frozen=True)
class LineRequest:
    unit_price: Money
    quantity: int
    cycle: str
    two_for_one_units: int = 0  # B-12 2x1: units free because a new partner ordered the same (billing.promos)


@dataclass(frozen=True)
class AppliedDiscount:
    rule: str  # "bundle" | "two_for_one" | "cycle" | "active_services" | "payment_method" | "coupon"
    label: str
    amount: Money
    percent: Decimal | None = None


@dataclass(frozen=True)
class WithheldDiscount:
    """A discount or coupon the line would have had, and why it does not (#12 item 10)."""

    rule: str  # the discount withheld, as `AppliedDiscount.rule`
    label: str  # what it would have been ("Cupón BIENVENIDA")
    because: str  # the rule that withholds it ("B-13")
    reason: str  # in words a client understands


@dataclass(frozen=True)
class PricedLine:
    unit_price: Money
    quantity: int
    gross: Money
    discounts: tuple[AppliedDiscount, ...] = field(default_factory=tuple)
    withheld: tuple[WithheldDiscount, ...] = field(default_factory=tuple)

    @property
    def discount_total(self) -> Money:
        total = Money.zero(self.gross.currency)
        for discount in self.discounts:
            total += discount.amount
        return total

    @property
    def total(self) -> Money:
        return self.gross - self.discount_total


def _percentages(line: LineRequest, policy: DiscountPolicy, context: DiscountContext) -> list[tuple[str, str, Decimal]]:
    found: list[tuple[str, str, Decimal]] = []
    cycle_pct = policy.cycle_percent.get(line.cycle, Decimal(0))
    if cycle_pct:
        found.append(("cycle", spanish("cycle", cycle=line.cycle), cycle_pct))
    tier_pct = policy.tier_percent(context.active_services)
    if tier_pct:
        found.append(("active_services", spanish("active_services", count=context.active_services), tier_pct))
    method = context.payment_method
    method_pct = policy.payment_method_percent.get(method, Decimal(0)) if method else Decimal(0)
    if method_pct:
        found.append(("payment_method", spanish("payment_method", method=method), method_pct))
    coupon = context.coupon
    if coupon is not None and coupon.percent:
        found.append(("coupon", spanish("coupon", code=coupon.code), coupon.percent))
    return found


def _weight(percent: Decimal) -> int:
    return int((percent * 10_000).to_integral_value())


def price_line(line: LineRequest, *, policy: DiscountPolicy, context: DiscountContext) -> PricedLine:
    """One line with its bundle and percentage discounts (the fixed coupon is spread by `price_lines`)."""
    if line.quantity < 1:
        raise ValueError("quantity must be at least 1")
    gross = line.unit_price.times(line.quantity)
    if context.suspended:  # B-13: nothing at all; say what would have applied
        offered = price_line(line, policy=policy, context=replace(context, suspended=False))
        return PricedLine(line.unit_price, line.quantity, gross, withheld=_withheld(offered.discounts, SUSPENDED))
    if gross.is_zero():
        return PricedLine(line.unit_price, line.quantity, gross)
    applied: list[AppliedDiscount] = []
    free_units = 0
    if context.bundle and policy.bundle_size > 0 and policy.bundle_free > 0:
        free_units = min(line.quantity // policy.bundle_size * policy.bundle_free, line.quantity)
        if free_units:
            applied.append(AppliedDiscount("bundle", spanish("bundle", free=free_units, size=policy.bundle_size),
                                           line.unit_price.times(free_units)))
    two_for_one = min(line.two_for_one_units, line.quantity - free_units)
    if two_for_one > 0:
        applied.append(AppliedDiscount("two_for_one", spanish("two_for_one"), line.unit_price.times(two_for_one),
                                       HUNDRED if two_for_one == line.quantity else None))
    base = gross - sum((d.amount for d in applied), Money.zero(gross.currency))
    rules = _percentages(line, policy, context)
    total_pct = sum((pct for _, _, pct in rules), Decimal(0))
    if rules and not base.is_zero():
        effective = min(total_pct, policy.max_total_percent if policy.max_total_percent is not None else total_pct)
        effective = min(effective, HUNDRED)
        amount = base.scale(effective / HUNDRED)
        if not amount.is_zero():
            parts = amount.allocate([_weight(pct) for _, _, pct in rules])
            for (rule, label, pct), part in zip(rules, parts, strict=True):
                applied.append(AppliedDiscount(rule, label, part, pct))
    return PricedLine(line.unit_price, line.quantity, gross, tuple(applied))


def _withheld(discounts: Sequence[AppliedDiscount], why: tuple[str, str]) -> tuple[WithheldDiscount, ...]:
    return tuple(WithheldDiscount(d.rule, d.label, *why) for d in discounts)


def price_lines(
    lines: Sequence[LineRequest], *, policy: DiscountPolicy, context: DiscountContext
) -> list[PricedLine]:
    """Every line priced; a fixed-amount coupon is taken from the lines in order, none below zero."""
    priced = [price_line(line, policy=policy, context=context) for line in lines]
    coupon = context.coupon
    if coupon is None or coupon.amount is None:
        return priced
    if context.suspended:  # B-13: the fixed coupon too is withheld, said on the first line it would have reduced
        if priced:
            first = priced[0]
            offered = AppliedDiscount("coupon", spanish("coupon", code=coupon.code), coupon.amount)
            priced[0] = replace(first, withheld=(*first.withheld, *_withheld([offered], SUSPENDED)))
        return priced
    remaining = coupon.amount
    result: list[PricedLine] = []
    for line in priced:
        take = line.total if line.total < remaining else remaining
        if take.is_zero() or take.is_negative():
            result.append(line)
            continue
        remaining -= take
        extra = AppliedDiscount("coupon", spanish("coupon", code=coupon.code), take)
        result.append(replace(line, discounts=(*line.discounts, extra)))
    return result


def for_payment_method(line: PricedLine, *, policy: DiscountPolicy, method: str | None) -> PricedLine:
    """B-22: the same line priced for another payment method. Whole units off (bundle, 2x1) and every other
    percentage stay as they were; the percentages are taken again, with the new method's, from what the units left
    (summed, capped and split as `price_line` does); a fixed coupon keeps its amount, never below zero. A line that
    got nothing (B-13) still gets nothing."""
    if line.withheld and not line.discounts:
        return line
    units = [d for d in line.discounts if d.rule in ("bundle", "two_for_one")]
    rules = [(d.rule, d.label, d.percent) for d in line.discounts
             if d.percent is not None and d.rule not in ("bundle", "two_for_one", "payment_method")]
    method_pct = policy.payment_method_percent.get(method, Decimal(0)) if method else Decimal(0)
    if method_pct:
        rules.append(("payment_method", spanish("payment_method", method=method), method_pct))
    applied = list(units)
    base = line.gross - sum((d.amount for d in units), Money.zero(line.gross.currency))
    left = base
    if rules and not base.is_zero():
        total_pct = sum((pct for _, _, pct in rules), Decimal(0))
        cap = policy.max_total_percent if policy.max_total_percent is not None else total_pct
        amount = base.scale(min(total_pct, cap, HUNDRED) / HUNDRED)
        if not amount.is_zero():
            parts = amount.allocate([_weight(pct) for _, _, pct in rules])
            applied.extend(AppliedDiscount(rule, label, part, pct)
                           for (rule, label, pct), part in zip(rules, parts, strict=True))
            left -= amount
    for fixed in (d for d in line.discounts if d.rule == "coupon" and d.percent is None):
        take = fixed.amount if fixed.amount < left else left
        if take.amount_minor > 0:
            applied.append(replace(fixed, amount=take))
            left -= take
    return replace(line, discounts=tuple(applied))

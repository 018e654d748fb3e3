"""B-12, B-13: the discount engine, pure and data-driven (fast unit tests), and coupon rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abono.errors import InvalidInput
from abono.money import Money
from billing.config import BillingSettings
from billing.discounts.coupons import check_coupon
from billing.discounts.engine import CouponTerms, DiscountContext, LineRequest, price_line, price_lines
from billing.discounts.models import Coupon
from billing.discounts.policy import policy_from

POLICY = policy_from(BillingSettings())
USD = "USD"


def line(amount: int, quantity: int = 1, cycle: str = "monthly", currency: str = USD) -> LineRequest:
    return LineRequest(Money(amount, currency), quantity, cycle)


def rules(priced: object) -> dict[str, int]:
    return {d.rule: d.amount.amount_minor for d in priced.discounts}  # type: ignore[attr-defined]


def test_b12_seed_example_annual_plus_zelle_is_thirty_percent() -> None:
    priced = price_line(line(12_000, cycle="annual"), policy=POLICY, context=DiscountContext(payment_method="zelle"))
    assert rules(priced) == {"cycle": 2_400, "payment_method": 1_200}
    assert priced.total == Money(8_400, USD)  # 30% off
    assert [d.percent for d in priced.discounts] == [Decimal(20), Decimal(10)]


def test_b12_seed_example_ten_identical_biennial_pago_facil_pay_eight_and_33_percent_off() -> None:
    priced = price_line(line(24_000, quantity=10, cycle="biennial"), policy=POLICY,
                        context=DiscountContext(payment_method="pago_facil"))
    assert rules(priced) == {"bundle": 48_000, "cycle": 63_360}  # 2 free, then 33% of the 8 paid
    assert priced.total == Money(8 * 24_000 * 67 // 100, USD)


def test_b12_bundle_every_five_identical_one_free() -> None:
    assert rules(price_line(line(1_000, quantity=4), policy=POLICY, context=DiscountContext())) == {}
    assert rules(price_line(line(1_000, quantity=5), policy=POLICY, context=DiscountContext()))["bundle"] == 1_000
    assert rules(price_line(line(1_000, quantity=14), policy=POLICY, context=DiscountContext()))["bundle"] == 2_000
    # Renewals are not "ordered together".
    assert rules(price_line(line(1_000, quantity=5), policy=POLICY, context=DiscountContext(bundle=False))) == {}


@pytest.mark.parametrize(("active", "percent"), [(0, 0), (2, 0), (3, 10), (4, 10), (5, 25), (9, 25), (10, 40),
                                                 (29, 40), (30, 50), (100, 50)])
def test_b12_active_service_tiers(active: int, percent: int) -> None:
    priced = price_line(line(10_000), policy=POLICY, context=DiscountContext(active_services=active))
    assert priced.total == Money(10_000 - 100 * percent, USD)


def test_b12_cycle_percentages() -> None:
    for cycle, pct in {"monthly": 0, "quarterly": 0, "semiannual": 6, "annual": 20, "biennial": 33}.items():
        assert price_line(line(10_000, cycle=cycle), policy=POLICY, context=DiscountContext()).total == Money(
            10_000 - 100 * pct, USD)


def test_b12_percentages_are_added_and_optionally_capped() -> None:
    context = DiscountContext(active_services=30, payment_method="zelle")
    uncapped = price_line(line(10_000, cycle="biennial"), policy=POLICY, context=context)
    assert uncapped.total == Money(700, USD)  # 33 + 50 + 10 = 93%
    capped_policy = policy_from(BillingSettings(discount_max_total_percent=Decimal(60)))
    capped = price_line(line(10_000, cycle="biennial"), policy=capped_policy, context=context)
    assert capped.total == Money(4_000, USD)
    assert capped.discount_total == Money(6_000, USD)  # the shares of the capped amount sum exactly


def test_b12_a_line_never_goes_below_zero() -> None:
    context = DiscountContext(active_services=30, payment_method="zelle",
                              coupon=CouponTerms("BIG", percent=Decimal(90)))
    assert price_line(line(10_000, cycle="biennial"), policy=POLICY, context=context).total == Money(0, USD)
    fixed = DiscountContext(coupon=CouponTerms("FIX", amount=Money(15_000, USD)))
    priced = price_lines([line(10_000), line(3_000)], policy=POLICY, context=fixed)
    assert [p.total for p in priced] == [Money(0, USD), Money(0, USD)]
    assert sum(p.discount_total.amount_minor for p in priced) == 13_000


def test_b13_no_discount_at_all_while_a_service_is_suspended() -> None:
    context = DiscountContext(active_services=12, payment_method="zelle", suspended=True,
                              coupon=CouponTerms("X", percent=Decimal(5)))
    priced = price_line(line(1_000, quantity=10, cycle="annual"), policy=POLICY, context=context)
    assert priced.discounts == () and priced.total == Money(10_000, USD)


def test_b13_every_withheld_discount_and_coupon_says_why_on_the_line() -> None:
    """#12 item 10: what a suspended client would have had is listed, each with B-13 and words a client reads."""
    context = DiscountContext(active_services=12, payment_method="zelle", suspended=True,
                              coupon=CouponTerms("BIENVENIDA", percent=Decimal(5)))
    priced = price_line(line(1_000, quantity=10, cycle="annual"), policy=POLICY, context=context)
    offered = price_line(line(1_000, quantity=10, cycle="annual"), policy=POLICY,
                         context=DiscountContext(active_services=12, payment_method="zelle",
                                                 coupon=CouponTerms("BIENVENIDA", percent=Decimal(5))))
    assert [w.rule for w in priced.withheld] == [d.rule for d in offered.discounts] == [
        "bundle", "cycle", "active_services", "payment_method", "coupon"]
    assert {w.because for w in priced.withheld} == {"B-13"}
    assert all("suspendido" in w.reason for w in priced.withheld)
    assert [w.label for w in priced.withheld if w.rule == "coupon"] == ["Cupón BIENVENIDA"]
    fixed = price_lines([line(3_000), line(2_000)], policy=POLICY, context=DiscountContext(
        suspended=True, coupon=CouponTerms("FIJO", amount=Money(500, USD))))
    assert [[w.label for w in p.withheld] for p in fixed] == [["Cupón FIJO"], []]
    assert all(p.discounts == () for p in fixed)
    assert price_line(line(1_000), policy=POLICY, context=DiscountContext(active_services=12)).withheld == ()


def test_clp_has_no_minor_unit_and_rounds_half_up() -> None:
    priced = price_line(line(9_999, cycle="semiannual", currency="CLP"), policy=POLICY, context=DiscountContext())
    assert priced.discount_total == Money(600, "CLP")  # 6% of 9 999 = 599.94 → 600


@given(amount=st.integers(0, 10**9), quantity=st.integers(1, 40), active=st.integers(0, 50),
       cycle=st.sampled_from(["monthly", "quarterly", "semiannual", "annual", "biennial"]),
       method=st.sampled_from([None, "zelle", "card"]))
def test_b12_discount_shares_sum_exactly_and_stay_within_the_line(
        amount: int, quantity: int, active: int, cycle: str, method: str | None) -> None:
    priced = price_line(line(amount, quantity, cycle), policy=POLICY,
                        context=DiscountContext(active_services=active, payment_method=method))
    assert priced.gross == Money(amount * quantity, USD)
    assert Money(0, USD) <= priced.total <= priced.gross
    assert priced.total + priced.discount_total == priced.gross


NOW = datetime(2027, 1, 10, tzinfo=UTC)


def coupon(**values: object) -> Coupon:
    defaults: dict[str, object] = {"code": "C", "percent": Decimal(10), "amount_minor": None, "currency": None,
                                   "audience": "any", "expires_at": None, "max_uses": None, "uses": 0}
    defaults.update(values)
    return Coupon(**defaults)


def test_b12_coupon_limits_new_existing_expiry_uses_currency() -> None:
    ok = check_coupon(coupon(), code="C", now=NOW, new_client=True, currency=USD)
    assert ok.percent == Decimal(10)
    with pytest.raises(InvalidInput, match="Unknown"):
        check_coupon(None, code="C", now=NOW, new_client=True, currency=USD)
    with pytest.raises(InvalidInput, match="expired"):
        check_coupon(coupon(expires_at=NOW - timedelta(seconds=1)), code="C", now=NOW, new_client=True, currency=USD)
    with pytest.raises(InvalidInput, match="used up"):
        check_coupon(coupon(max_uses=3, uses=3), code="C", now=NOW, new_client=True, currency=USD)
    with pytest.raises(InvalidInput, match="new clients"):
        check_coupon(coupon(audience="new"), code="C", now=NOW, new_client=False, currency=USD)
    with pytest.raises(InvalidInput, match="existing clients"):
        check_coupon(coupon(audience="existing"), code="C", now=NOW, new_client=True, currency=USD)
    with pytest.raises(InvalidInput, match="in USD"):
        check_coupon(coupon(percent=None, amount_minor=500, currency=USD), code="C", now=NOW, new_client=True,
                     currency="ARS")
    fixed = check_coupon(coupon(percent=None, amount_minor=500, currency=USD), code="C", now=NOW, new_client=True,
                         currency=USD)
    assert fixed.amount == Money(500, USD)

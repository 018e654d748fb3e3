"""B-12 referral free month and 2x1: the pure parts (credit amount, pair key, the engine's 2x1 units)."""

import uuid

import pytest

from abono.money import Money
from billing.clients.models import referral_code_of
from billing.config import BillingSettings
from billing.discounts.engine import DiscountContext, LineRequest, price_line
from billing.discounts.policy import policy_from
from billing.promos.rules import pair_key, referral_credit

POLICY = policy_from(BillingSettings())


def test_b12_referral_credit_is_the_monthly_price_in_the_referrers_currency() -> None:
    amount, basis = referral_credit(monthly_price=Money(900, "USD"), unit_price=Money(1_080_000, "ARS"),
                                    cycle_months=12, free_months=1)
    assert amount == Money(900, "USD") and "monthly" in basis


def test_b12_referral_credit_without_monthly_price_prorates_the_cycle_exactly() -> None:
    assert referral_credit(monthly_price=None, unit_price=Money(6000, "USD"), cycle_months=12,
                           free_months=1)[0] == Money(500, "USD")
    # 1000 over 3 months: shares 334 + 333 + 333 sum to the price; one month is the first share.
    assert referral_credit(monthly_price=None, unit_price=Money(1000, "USD"), cycle_months=3,
                           free_months=1)[0] == Money(334, "USD")
    assert referral_credit(monthly_price=None, unit_price=Money(1000, "USD"), cycle_months=3,
                           free_months=3)[0] == Money(1000, "USD")
    assert referral_credit(monthly_price=None, unit_price=Money(1000, "USD"), cycle_months=3,
                           free_months=4)[0] == Money(1334, "USD")
    assert referral_credit(monthly_price=None, unit_price=Money(9999, "CLP"), cycle_months=6,
                           free_months=1)[0] == Money(1667, "CLP")  # no minor unit, still exact


def test_b12_referral_credit_cumulative_months_setting() -> None:
    assert referral_credit(monthly_price=Money(500, "USD"), unit_price=Money(6000, "USD"), cycle_months=12,
                           free_months=2)[0] == Money(1000, "USD")
    with pytest.raises(ValueError):
        referral_credit(monthly_price=None, unit_price=Money(1, "USD"), cycle_months=0, free_months=1)


def test_b12_referral_code_is_deterministic_from_the_client_id() -> None:
    client_id = uuid.UUID("0123abcd-4567-89ef-0123-456789abcdef")
    assert referral_code_of(client_id) == "0123ABCD4567"


def test_b12_two_for_one_pair_key_is_symmetric() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert pair_key(a, b) == pair_key(b, a) and len(set(pair_key(a, b))) == 2


def test_b12_two_for_one_unit_is_a_100_percent_line_before_percentages() -> None:
    free = price_line(LineRequest(Money(6000, "USD"), 1, "annual", two_for_one_units=1), policy=POLICY,
                      context=DiscountContext(payment_method="zelle"))
    assert [(d.rule, d.percent) for d in free.discounts] == [("two_for_one", 100)]
    assert free.total == Money.zero("USD")
    # Quantity 2: one unit free, the other gets the cycle discount.
    two = price_line(LineRequest(Money(6000, "USD"), 2, "annual", two_for_one_units=1), policy=POLICY,
                     context=DiscountContext())
    assert [(d.rule, d.amount.amount_minor) for d in two.discounts] == [("two_for_one", 6000), ("cycle", 1200)]
    # Never more units than the bundle left: 5 identical = 1 bundle unit + 1 2x1 unit free.
    five = price_line(LineRequest(Money(100, "USD"), 5, "monthly", two_for_one_units=1), policy=POLICY,
                      context=DiscountContext())
    assert five.total == Money(300, "USD")


def test_b13_two_for_one_not_while_suspended() -> None:
    line = price_line(LineRequest(Money(6000, "USD"), 1, "annual", two_for_one_units=1), policy=POLICY,
                      context=DiscountContext(suspended=True))
    assert line.discounts == () and line.total == Money(6000, "USD")

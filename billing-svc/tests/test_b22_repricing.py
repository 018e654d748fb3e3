"""B-22 (issue #15 item 5): paying with another method than the invoice was priced for re-prices the payment-method
discount (B-12) instead of refusing; the re-priced total is shown before paying, and it is what the provider asks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest
from billing_helpers import auth, sql
from payments_support import PaymentsEnv, new_client, payments_env, unpaid_order

from abono.clock import SystemClock
from abono.money import Money
from billing.config import BillingSettings
from billing.discounts.engine import CouponTerms, DiscountContext, LineRequest, for_payment_method, price_line
from billing.discounts.policy import policy_from
from billing.payments.jobs import reconcile_once

POLICY = policy_from(BillingSettings())


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db, reconciliation_interval_seconds=0) as bench:
        yield bench


@pytest.mark.parametrize(("quantity", "cycle", "active", "coupon"), [
    (1, "annual", 0, None), (6, "monthly", 5, CouponTerms("DIEZ", percent=Decimal(10))),
    (2, "biennial", 30, CouponTerms("FIJO", amount=Money(500, "USD"))), (1, "monthly", 0, None)])
def test_b22_a_line_re_priced_for_another_method_is_what_pricing_it_for_that_method_gives(
    quantity: int, cycle: str, active: int, coupon: CouponTerms | None
) -> None:
    request = LineRequest(Money(12_345, "USD"), quantity, cycle)
    for before, after in (("zelle", None), (None, "zelle"), ("zelle", "stripe")):
        priced = price_line(request, policy=POLICY, context=DiscountContext(active, before, coupon=None))
        again = price_line(request, policy=POLICY, context=DiscountContext(active, after, coupon=None))
        assert for_payment_method(priced, policy=POLICY, method=after) == again
    if coupon is not None and coupon.percent is not None:  # a percentage coupon is one more percentage
        priced = price_line(request, policy=POLICY, context=DiscountContext(active, "zelle", coupon=coupon))
        again = price_line(request, policy=POLICY, context=DiscountContext(active, None, coupon=coupon))
        assert for_payment_method(priced, policy=POLICY, method=None) == again


async def invoice_row(env: PaymentsEnv, invoice_id: str) -> dict[str, object]:
    return (await sql(env.db_url, "SELECT status, payment_method, discount_minor, total_minor FROM invoices "
                      "WHERE id = $1", uuid.UUID(invoice_id)))[0]


async def test_b22_a_zelle_priced_invoice_paid_by_card_pays_the_re_priced_total(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    placed = await unpaid_order(env.billing, client_id, payment_method="zelle")  # US$15 less Zelle's 10%
    invoice_id = str(placed["invoice_id"])
    assert (await invoice_row(env, invoice_id))["total_minor"] == 1350
    methods = (await env.billing.get(f"/invoices/{invoice_id}/payment-methods", headers=auth(client_id))).json()
    assert methods["totals"]["stripe"] == {"amount_minor": 1500, "currency": "USD"}  # shown before paying
    paid = await env.billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "stripe"})
    assert paid.status_code == 200, paid.text
    assert paid.json()["amount"] == {"amount_minor": 1500, "currency": "USD"}
    assert env.stripe.sessions[paid.json()["provider_ref"]]["amount_total"] == 1500
    row = await invoice_row(env, invoice_id)
    assert (row["payment_method"], row["discount_minor"], row["total_minor"]) == ("stripe", 0, 1500)
    lines = await sql(env.db_url, "SELECT discounts, amount_minor FROM invoice_lines WHERE invoice_id = $1",
                      uuid.UUID(invoice_id))
    assert lines[0]["amount_minor"] == 1500 and "payment_method" not in str(lines[0]["discounts"])
    env.stripe.complete(paid.json()["provider_ref"])
    await reconcile_once(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                         providers=env.providers)
    assert (await invoice_row(env, invoice_id))["status"] == "paid"


async def test_b22_a_card_priced_invoice_reported_paid_by_zelle_gets_zelle_s_discount(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    placed = await unpaid_order(env.billing, client_id, code="vps-2")  # US$28, no method discount
    invoice_id = str(placed["invoice_id"])
    reported = await env.billing.post(f"/invoices/{invoice_id}/transfer-report", headers=auth(client_id), json={
        "reference": "ZELLE-123456", "amount_minor": 2520, "paid_on": date.today().isoformat(),
        "proof": "Zelle confirmation 123456", "channel": "zelle"})
    assert reported.status_code == 201, reported.text
    row = await invoice_row(env, invoice_id)
    assert (row["payment_method"], row["discount_minor"], row["total_minor"]) == ("zelle", 280, 2520)

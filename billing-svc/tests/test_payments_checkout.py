"""Paying an invoice (issue #4 step 1): B-20 method rules, Stripe Checkout, MercadoPago preferences, transfers,
the B-12 method discount; idempotency keys stored before the provider is called."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from billing_helpers import auth, outbox, sql, staff
from payments_support import PaymentsEnv, new_client, payments_env, unpaid_order

from abono.errors import InvalidInput
from abono.money import Money
from billing.config import BillingSettings
from billing.payments import rules
from billing.payments.stripe_provider import stripe_amount


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


def test_b20_methods_follow_country_and_currency_and_paypal_refuses_uyu_pyg_ves() -> None:
    settings = BillingSettings()
    assert rules.allowed_methods(settings=settings, country="AR", currency="ARS") == [
        "mercadopago", "stripe", "transfer"]
    assert "paypal" in rules.allowed_methods(settings=settings, country="US", currency="USD")
    for currency in ("UYU", "PYG", "VES"):
        assert "paypal" not in rules.allowed_methods(settings=settings, country="UY", currency=currency)


def test_b20_each_provider_has_a_minimum_per_currency() -> None:
    settings = BillingSettings(payment_min_amount_minor={"stripe": {"USD": 1_000}})
    with pytest.raises(InvalidInput, match="at least"):
        rules.check_method(settings=settings, method="stripe", country="US", amount=Money(999, "USD"))
    rules.check_method(settings=settings, method="stripe", country="US", amount=Money(1_000, "USD"))
    with pytest.raises(InvalidInput, match="not available"):
        rules.check_method(settings=settings, method="mercadopago", country="US", amount=Money(1_000, "USD"))


def test_b20_stripe_amounts_are_minor_units_and_zero_decimal_currencies_unscaled() -> None:
    assert stripe_amount(Money(1_500, "USD")) == 1_500
    assert stripe_amount(Money(15_000, "CLP")) == 15_000  # CLP 15.000, not 1.500.000


async def test_b19_stripe_checkout_for_the_invoice_with_its_key_stored_before_the_call(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    placed = await unpaid_order(env.billing, client_id)
    invoice_id = str(placed["invoice_id"])
    methods = await env.billing.get(f"/invoices/{invoice_id}/payment-methods", headers=auth(client_id))
    assert methods.json()["methods"] == ["stripe", "transfer", "paypal"]
    paid = await env.billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "stripe"})
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["redirect_url"].startswith("https://checkout.stripe.test/pay/cs_test_")
    session = env.stripe.sessions[body["provider_ref"]]
    assert session["amount_total"] == 1500 and session["currency"] == "usd"
    assert session["client_reference_id"] == invoice_id and session["metadata"]["invoice_id"] == invoice_id
    assert session["intent_metadata"]["invoice_id"] == invoice_id
    rows = await sql(env.db_url, "SELECT idempotency_key, status FROM payment_attempts WHERE invoice_id = $1",
                     uuid.UUID(invoice_id))
    assert len(rows) == 1 and rows[0]["status"] == "open"
    assert ("POST", "/v1/checkout/sessions", rows[0]["idempotency_key"]) in env.stripe.calls
    # Asking again gives the same page: no second session.
    again = await env.billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "stripe"})
    assert again.json()["provider_ref"] == body["provider_ref"] and len(env.stripe.sessions) == 1
    # Another client's invoice is not found; MercadoPago is not offered outside Argentina (B-20).
    assert (await env.billing.post(f"/invoices/{invoice_id}/pay", headers=auth(), json={"method": "stripe"})
            ).status_code == 404
    assert (await env.billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id),
                                   json={"method": "mercadopago"})).status_code == 422


async def test_b19_a_started_attempt_is_retried_with_the_same_stored_key(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    placed = await unpaid_order(env.billing, client_id)
    # A crash after the key was stored but before the answer was saved: the row is "started".
    key = f"abono-pay-{uuid.uuid4()}"
    await sql(env.db_url, "INSERT INTO payment_attempts (id, invoice_id, client_id, provider, amount_minor, currency,"
              " idempotency_key, status, created_at) VALUES ($1, $2, $3, 'stripe', 1500, 'USD', $4, 'started', now())",
              uuid.uuid4(), uuid.UUID(str(placed["invoice_id"])), client_id, key)
    paid = await env.billing.post(f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id),
                                  json={"method": "stripe"})
    assert paid.status_code == 200, paid.text
    assert env.stripe.calls[-1] == ("POST", "/v1/checkout/sessions", key)


async def test_b19_mercadopago_preference_carries_the_payment_reference_and_cash_coupons(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, currency="ARS", country="AR")
    placed = await unpaid_order(env.billing, client_id)
    invoice = (await env.billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(client_id))).json()
    paid = await env.billing.post(f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id),
                                  json={"method": "mercadopago"})
    assert paid.status_code == 200, paid.text
    preference = env.mp.preferences[paid.json()["provider_ref"]]
    assert preference["external_reference"] == invoice["payment_reference"]
    assert paid.json()["redirect_url"] == preference["init_point"]
    raw = json.loads(env.mp.raw_bodies[-1], parse_float=Decimal)
    assert raw["items"][0]["unit_price"] == Decimal("18000.00")  # a JSON number, exact, major units
    excluded = {t["id"] for t in raw["payment_methods"]["excluded_payment_types"]}
    assert not excluded & {"credit_card", "debit_card", "ticket"}  # cards, Pago Fácil and Rapipago (tickets)
    key = (await sql(env.db_url, "SELECT idempotency_key FROM payment_attempts WHERE invoice_id = $1",
                     uuid.UUID(str(placed["invoice_id"]))))[0]["idempotency_key"]
    assert ("POST", "/checkout/preferences", key) in env.mp.calls


async def test_b19_a_reported_transfer_waits_for_staff_confirmation(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="AR")
    placed = await unpaid_order(env.billing, client_id)
    invoice_id = str(placed["invoice_id"])
    how = await env.billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "transfer"})
    assert how.status_code == 200 and how.json()["redirect_url"] is None
    report = {"reference": "PREX-778899", "amount_minor": 1500, "paid_on": "2026-11-25",
              "proof": "https://example.test/receipt.png", "channel": "prex"}
    made = await env.billing.post(f"/invoices/{invoice_id}/transfer-report", headers=auth(client_id), json=report)
    assert made.status_code == 201, made.text
    again = await env.billing.post(f"/invoices/{invoice_id}/transfer-report", headers=auth(client_id), json=report)
    assert again.json()["id"] == made.json()["id"]  # reported twice: one report
    assert (await env.billing.get(f"/invoices/{invoice_id}", headers=auth(client_id))).json()["status"] == "unpaid"
    listed = await env.billing.get("/staff/transfer-reports", params={"invoice_id": invoice_id}, headers=staff())
    assert [r["reference"] for r in listed.json()] == ["PREX-778899"]
    confirmed = await env.billing.post(f"/staff/invoices/{invoice_id}/confirm-transfer", headers=staff(), json={
        "amount_minor": 1500, "transfer_reference": "PREX-778899"})
    assert confirmed.json()["invoice_status"] == "paid"
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1


async def test_b12_a_zelle_report_on_a_zelle_priced_invoice_keeps_its_discount(env: PaymentsEnv) -> None:
    """Paying by the method the invoice was priced for changes nothing; another method re-prices it (B-22, in
    test_b22_repricing.py) where this test used to expect a 409."""
    client_id = await new_client(env.db_url, country="US")
    placed = await unpaid_order(env.billing, client_id, payment_method="zelle")  # B-12: Zelle 10% on the lines
    assert placed["total_due"]["amount_minor"] == 1350  # type: ignore[index]
    report = {"reference": "ZL-1", "amount_minor": 1350, "paid_on": "2026-11-25", "proof": "zelle receipt",
              "channel": "zelle"}
    assert (await env.billing.post(f"/invoices/{placed['invoice_id']}/transfer-report", headers=auth(client_id),
                                   json=report)).status_code == 201
    invoice = (await env.billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(client_id))).json()
    assert invoice["total_due"]["amount_minor"] == 1350

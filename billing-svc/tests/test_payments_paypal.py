"""PayPal behind the same PaymentProvider (issue #15 item 1), over real HTTP against the local PayPal: Orders v2
checkout with the stored key as PayPal-Request-Id, capture on return applied once (B-19), webhooks verified by
PayPal's verify-webhook-signature and applied once, refunds with their stored key (B-15), B-20's refusal of UYU,
PYG and VES accounts with the manual's advice to switch the account to USD."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from billing_helpers import auth, outbox, sql, staff
from payments_support import PAYPAL_WEBHOOK_ID, PaymentsEnv, new_client, payments_env, unpaid_order

from abono.clock import SystemClock
from abono.money import Money
from billing.fakes import paypal_headers
from billing.payments.jobs import reconcile_once, send_refunds


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db, reconciliation_interval_seconds=0) as bench:
        yield bench


async def paypal_checkout(env: PaymentsEnv) -> tuple[uuid.UUID, str, str]:
    """A US client's unpaid USD invoice with a PayPal order: (client, invoice id, order id)."""
    client_id = await new_client(env.db_url, country="US")
    placed = await unpaid_order(env.billing, client_id)
    started = await env.billing.post(
        f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id), json={"method": "paypal"}
    )
    assert started.status_code == 200, started.text
    return client_id, str(placed["invoice_id"]), started.json()["provider_ref"]


async def payment_keys(env: PaymentsEnv, invoice_id: str) -> list[object]:
    rows = await sql(env.db_url, "SELECT payment_key FROM payments WHERE invoice_id = $1", uuid.UUID(invoice_id))
    return [r["payment_key"] for r in rows]


async def capture(env: PaymentsEnv, client_id: uuid.UUID, invoice_id: str, order_id: str) -> dict[str, object]:
    answer = await env.billing.post(
        f"/invoices/{invoice_id}/capture", headers=auth(client_id), json={"method": "paypal", "provider_ref": order_id}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def test_b19_paypal_order_is_captured_on_return_and_applied_once(env: PaymentsEnv) -> None:
    client_id, invoice_id, order_id = await paypal_checkout(env)
    invoice = (await env.billing.get(f"/invoices/{invoice_id}", headers=auth(client_id))).json()
    order = env.paypal.orders[order_id]
    unit = order["purchase_units"][0]
    assert unit["custom_id"] == invoice_id and unit["invoice_id"] == invoice["payment_reference"]
    assert unit["amount"] == {"currency_code": "USD", "value": "15.00"}
    key = (
        await sql(
            env.db_url, "SELECT idempotency_key FROM payment_attempts WHERE invoice_id = $1", uuid.UUID(invoice_id)
        )
    )[0]["idempotency_key"]
    assert ("POST", "/v2/checkout/orders", key) in env.paypal.calls  # PayPal-Request-Id: the stored key
    # Back without approving: nothing to capture yet, nothing applied.
    assert (await capture(env, client_id, invoice_id, order_id))["outcome"] == "not approved yet"
    env.paypal.approve(order_id)
    first = await capture(env, client_id, invoice_id, order_id)
    assert first["outcome"] == "applied" and first["invoice_status"] == "paid"
    again = await capture(env, client_id, invoice_id, order_id)  # a reload of the return page
    assert again["outcome"] == "duplicate"
    [capture_id] = [c["id"] for c in env.paypal.captures.values() if c["custom_id"] == invoice_id]
    assert await payment_keys(env, invoice_id) == [f"paypal:{capture_id}"]
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    # Another client cannot capture this checkout.
    stranger = await env.billing.post(
        f"/invoices/{invoice_id}/capture", headers=auth(), json={"method": "paypal", "provider_ref": order_id}
    )
    assert stranger.status_code == 404


async def test_b19_an_approved_order_whose_client_never_returns_is_captured_from_the_webhook_once(
    env: PaymentsEnv,
) -> None:
    _, invoice_id, order_id = await paypal_checkout(env)
    env.paypal.approve(order_id)
    approved = env.paypal.event("CHECKOUT.ORDER.APPROVED", env.paypal.orders[order_id])
    body = json.dumps(approved)
    answer = await env.billing.post(
        "/webhooks/paypal", content=body, headers=paypal_headers(approved, PAYPAL_WEBHOOK_ID)
    )
    assert answer.status_code == 200 and answer.json() == {"received": True, "duplicate": False}
    await env.webhooks_done()
    capture_id = next(c for c in env.paypal.captures.values() if c["custom_id"] == invoice_id)["id"]
    assert await payment_keys(env, invoice_id) == [f"paypal:{capture_id}"]
    # PayPal then reports the capture itself: the same payment key, nothing more.
    completed = env.paypal.event("PAYMENT.CAPTURE.COMPLETED", env.paypal.captures[capture_id])
    body = json.dumps(completed)
    answer = await env.billing.post(
        "/webhooks/paypal", content=body, headers=paypal_headers(completed, PAYPAL_WEBHOOK_ID)
    )
    assert answer.status_code == 200
    await env.webhooks_done()
    outcomes = await sql(
        env.db_url,
        "SELECT event_type, outcome FROM provider_events WHERE provider = 'paypal' AND external_id = ANY($1::text[])",
        [approved["id"], completed["id"]],
    )
    assert {(r["event_type"], r["outcome"]) for r in outcomes} == {
        ("CHECKOUT.ORDER.APPROVED", "applied"),
        ("PAYMENT.CAPTURE.COMPLETED", "duplicate"),
    }
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1


async def test_b19_a_forged_or_replayed_paypal_webhook_is_refused_or_ignored(env: PaymentsEnv) -> None:
    _, invoice_id, order_id = await paypal_checkout(env)
    env.paypal.approve(order_id)
    event = env.paypal.event("CHECKOUT.ORDER.APPROVED", env.paypal.orders[order_id])
    body = json.dumps(event)
    genuine = paypal_headers(event, PAYPAL_WEBHOOK_ID)
    before = (await sql(env.db_url, "SELECT count(*) AS n FROM provider_events"))[0]["n"]
    stale = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    forged = {
        "no transmission headers": (body, {"Content-Type": "application/json"}, 400),
        "signed for another webhook": (body, paypal_headers(event, "WH-SOMEONE-ELSE"), 401),
        "altered body": (body.replace('"15.00"', '"0.01"'), genuine, 401),
        "made-up signature": (body, {**genuine, "paypal-transmission-sig": "Zm9yZ2Vk"}, 401),
        "an old transmission replayed": (body, paypal_headers(event, PAYPAL_WEBHOOK_ID, transmission_time=stale), 401),
    }
    for case, (content, headers, status) in forged.items():
        answer = await env.billing.post("/webhooks/paypal", content=content, headers=headers)
        assert answer.status_code == status, case
        assert answer.headers["content-type"].startswith("application/problem+json"), case
    assert (await sql(env.db_url, "SELECT count(*) AS n FROM provider_events"))[0]["n"] == before
    assert not env.paypal.captures or all(c["custom_id"] != invoice_id for c in env.paypal.captures.values())
    # The genuine delivery, then PayPal's redelivery of it: stored and applied once.
    first = await env.billing.post("/webhooks/paypal", content=body, headers=genuine)
    second = await env.billing.post("/webhooks/paypal", content=body, headers=genuine)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    await env.webhooks_done()
    assert len(await payment_keys(env, invoice_id)) == 1
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1


async def test_b19_an_approved_order_with_return_and_webhook_lost_is_captured_by_reconciliation(
    env: PaymentsEnv,
) -> None:
    _, invoice_id, order_id = await paypal_checkout(env)
    env.paypal.approve(order_id)  # no return, no webhook
    await reconcile_once(
        sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings, providers=env.providers
    )
    status = (await sql(env.db_url, "SELECT status FROM invoices WHERE id = $1", uuid.UUID(invoice_id)))[0]
    assert status["status"] == "paid"
    assert len(await payment_keys(env, invoice_id)) == 1


async def test_b20_a_uyu_client_is_refused_paypal_with_the_advice_to_switch_the_account_to_usd(
    env: PaymentsEnv,
) -> None:
    for currency in ("UYU", "PYG", "VES"):  # a monthly price in each (the test catalog has none)
        await sql(
            env.db_url,
            "INSERT INTO prices (product_id, cycle, currency, amount_minor) SELECT id, 'monthly', "
            "$1, 60000 FROM products WHERE code = 'vps-1' ON CONFLICT DO NOTHING",
            currency,
        )
        client_id = await new_client(env.db_url, currency=currency, country="UY")
        placed = await unpaid_order(env.billing, client_id)
        invoice_id = placed["invoice_id"]
        methods = (await env.billing.get(f"/invoices/{invoice_id}/payment-methods", headers=auth(client_id))).json()
        assert "paypal" not in methods["methods"]  # and the panel is told why, with the manual's advice
        assert methods["refused"] == [{"method": "paypal", "currency": currency, "switch_to": "USD"}]
        refused = await env.billing.post(
            f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "paypal"}
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert problem["type"].endswith("/currency-refused") and problem["switch_to"] == "USD"
        assert problem["currency"] == currency and "switch your account to USD" in problem["detail"]
        assert "paypal" not in problem["allowed"]
    assert not [o for o in env.paypal.orders.values() if o["purchase_units"][0]["amount"]["currency_code"] != "USD"]


async def test_b15_a_paypal_refund_is_sent_once_with_its_stored_paypal_request_id(env: PaymentsEnv) -> None:
    client_id, invoice_id, order_id = await paypal_checkout(env)
    env.paypal.approve(order_id)
    await capture(env, client_id, invoice_id, order_id)
    capture_id = next(c for c in env.paypal.captures.values() if c["custom_id"] == invoice_id)["id"]
    refunded = await env.billing.post(
        f"/staff/invoices/{invoice_id}/refund", headers=staff(), json={"reason": "satisfaction (B-15)"}
    )
    assert refunded.status_code == 200, refunded.text
    assert await send_refunds(sessionmaker=env.sessionmaker, clock=SystemClock(), providers=env.providers) == 1
    assert await send_refunds(sessionmaker=env.sessionmaker, clock=SystemClock(), providers=env.providers) == 0
    row = (
        await sql(
            env.db_url,
            "SELECT idempotency_key, status, provider_refund_id FROM provider_refunds WHERE invoice_id = $1",
            uuid.UUID(invoice_id),
        )
    )[0]
    assert row["status"] == "done"
    path = f"/v2/payments/captures/{capture_id}/refund"
    assert [c for c in env.paypal.calls if c[1] == path] == [("POST", path, row["idempotency_key"])]
    assert [r["id"] for r in env.paypal.refunds.values() if r["capture_id"] == capture_id] == [
        row["provider_refund_id"]
    ]
    assert env.paypal.captures[capture_id]["status"] == "REFUNDED"
    # A retry after a crash (same stored key) gets PayPal's first answer: still one refund.
    provider = env.providers["paypal"]
    from_retry = await provider.refund(
        payment_id=str(capture_id), amount=Money(1500, "USD"), idempotency_key=str(row["idempotency_key"])
    )
    assert from_retry == row["provider_refund_id"]
    assert len([r for r in env.paypal.refunds.values() if r["capture_id"] == capture_id]) == 1


async def test_b20_a_provider_without_credentials_is_not_offered(billing: httpx.AsyncClient, billing_db: str) -> None:
    """No PayPal (nor Stripe) credentials here: the pay page lists the transfer only, never a method that fails."""
    client_id = await new_client(billing_db, country="US")
    placed = await unpaid_order(billing, client_id)
    methods = await billing.get(f"/invoices/{placed['invoice_id']}/payment-methods", headers=auth(client_id))
    assert methods.status_code == 200 and methods.json()["methods"] == ["transfer"]

"""B-21 automatic payment with PayPal's vault (issue #15 items 2 and 4) against the local PayPal over real HTTP: the
payer's account saved through a setup token approved on PayPal's agreement page and made a payment token, then
renewal invoices charged by the scheduler with orders paid by `vault_id`, through the same charging path as Stripe's
cards (nothing in it names a provider): once on the due date with two schedulers running, a decline retried on
schedule then notified with a link to pay by hand, "payer action required" ending in one "action needed" notice;
stopping auto-pay cancels the agreement at PayPal too; B-20 keeps PayPal from UYU accounts."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from billing_helpers import auth, outbox, pay, sql
from payments_support import PAYPAL_WEBHOOK_ID, PaymentsEnv, new_client, payments_env, unpaid_order
from test_b21_autopay import FAILED, SETTINGS, charges, invoice_status, scheduler

from billing.autopay.charging import charge_key
from billing.fakes import paypal_headers

PAYER_OK, PAYER_NO_FUNDS, PAYER_MUST_ACT = "comprador@example.test", "sin-fondos@example.test", "confirmar@example.test"


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


async def save_paypal(env: PaymentsEnv, client_id: uuid.UUID, payer: str = PAYER_OK) -> dict[str, object]:
    """The client agrees at PayPal's (the fake's) page to future payments and comes back: the active method."""
    started = await env.billing.post("/saved-methods", headers=auth(client_id), json={"provider": "paypal"})
    assert started.status_code == 201, started.text
    method = started.json()
    assert method["status"] == "pending" and "/agreements/approve?approval_session_id=" in method["redirect_url"]
    setup_id = str(method["redirect_url"]).rsplit("=", 1)[1]
    setup = env.paypal.vault.setup_tokens[setup_id]
    assert setup["payment_source"]["paypal"]["usage_type"] == "MERCHANT"
    assert setup["experience_context"]["return_url"].endswith(f"/autopay?method={method['id']}")
    assert ("POST", "/v3/vault/setup-tokens", f"abono-save-{method['id']}") in env.paypal.calls
    early = await env.billing.post(f"/saved-methods/{method['id']}/confirm", headers=auth(client_id))
    assert early.json()["status"] == "pending"  # not approved yet: nothing saved
    env.paypal.vault.approve(setup_id, payer=payer)
    confirmed = await env.billing.post(f"/saved-methods/{method['id']}/confirm", headers=auth(client_id))
    assert confirmed.status_code == 200, confirmed.text
    saved: dict[str, object] = confirmed.json()
    assert saved["status"] == "active" and saved["label"] == f"PayPal ({payer})"
    return saved


async def autopay_client(env: PaymentsEnv, due_on: date, payer: str = PAYER_OK) -> tuple[uuid.UUID, uuid.UUID]:
    """A client with a paid monthly service renewing on `due_on`, PayPal saved and auto-pay on; the renewal invoice
    issued by the scheduler. Returns (client id, renewal invoice id)."""
    client_id = await new_client(env.db_url, country="US")
    order = await unpaid_order(env.billing, client_id)
    await pay(env.billing, order["invoice_id"], order["total_due"]["amount_minor"])  # type: ignore[index]
    await sql(env.db_url, "UPDATE subscriptions SET status = 'active', next_due_on = $2 WHERE client_id = $1",
              client_id, due_on)
    method = await save_paypal(env, client_id, payer)
    on = await env.billing.put("/autopay", headers=auth(client_id), json={"method_id": method["id"]})
    assert on.status_code == 200 and on.json()["method"]["provider"] == "paypal"
    await scheduler(env, due_on - timedelta(days=SETTINGS.renewal_lead_days))
    rows = await sql(env.db_url, "SELECT id FROM invoices WHERE client_id = $1 AND kind = 'renewal'", client_id)
    assert len(rows) == 1
    return client_id, rows[0]["id"]  # type: ignore[return-value]


def paypal_charges(env: PaymentsEnv, invoice_id: uuid.UUID) -> list[dict[str, object]]:
    return [c for c in env.paypal.vault.charges if c["purchase_units"][0]["custom_id"] == str(invoice_id)]


async def test_b21_paypal_renewal_charged_once_on_the_due_date_with_two_schedulers(env: PaymentsEnv) -> None:
    due = date(2033, 2, 10)
    client_id, invoice_id = await autopay_client(env, due)
    await scheduler(env, due - timedelta(days=1))
    assert await charges(env, invoice_id) == [] and paypal_charges(env, invoice_id) == []
    await asyncio.gather(scheduler(env, due), scheduler(env, due))  # two replicas at once
    await scheduler(env, due)
    assert await invoice_status(env, invoice_id) == "paid"
    asked = paypal_charges(env, invoice_id)
    assert len(asked) == 1 and asked[0]["outcome"] == "succeeds"
    rows = await charges(env, invoice_id)
    assert [(r["attempt"], r["status"]) for r in rows] == [(1, "succeeded")]
    assert rows[0]["idempotency_key"] == charge_key(invoice_id, 1)
    assert ("POST", "/v2/checkout/orders", rows[0]["idempotency_key"]) in env.paypal.calls
    capture = asked[0]["id"]
    capture_id = env.paypal.orders[str(capture)]["purchase_units"][0]["payments"]["captures"][0]["id"]
    payments = await sql(env.db_url, "SELECT method, payment_key FROM payments WHERE invoice_id = $1", invoice_id)
    assert payments == [{"method": "paypal", "payment_key": f"paypal:{capture_id}"}]
    paid = await outbox(env.db_url, "billing.invoice.paid", invoice_id=str(invoice_id))
    assert len(paid) == 1 and paid[0]["method"] == "paypal"
    state = (await env.billing.get("/autopay", headers=auth(client_id))).json()
    assert state["charges"][0]["status"] == "succeeded" and "paypal" in state["providers"]


async def test_b21_paypal_decline_retried_on_schedule_then_notified_once(env: PaymentsEnv) -> None:
    due = date(2033, 4, 10)
    _, invoice_id = await autopay_client(env, due, PAYER_NO_FUNDS)
    await scheduler(env, due)
    assert await outbox(env.db_url, FAILED, invoice_id=str(invoice_id)) == []  # retries come
    for day in (1, 2, 3):
        await scheduler(env, due + timedelta(days=day))
    rows = await charges(env, invoice_id)
    assert [(r["attempt"], r["status"], r["failure_code"]) for r in rows] == [
        (n, "declined", "instrument_declined") for n in (1, 2, 3)]
    assert len({r["idempotency_key"] for r in rows}) == 3 and len(paypal_charges(env, invoice_id)) == 3
    failed = await outbox(env.db_url, FAILED, invoice_id=str(invoice_id))
    assert len(failed) == 1 and failed[0]["method"] == "paypal" and failed[0]["action_needed"] is False
    assert failed[0]["reason"] == (f"PayPal ({PAYER_NO_FUNDS}): PayPal rechazó el cobro (sin fondos ni otro medio en "
                                   "la cuenta) (3 intentos automáticos)")
    assert await invoice_status(env, invoice_id) == "unpaid"  # to be paid by hand (the notice links the invoice)


async def test_b21_paypal_payer_action_required_ends_in_one_action_needed_notice(env: PaymentsEnv) -> None:
    due = date(2033, 6, 10)
    _, invoice_id = await autopay_client(env, due, PAYER_MUST_ACT)
    for day in range(4):
        await scheduler(env, due + timedelta(days=day))
    rows = await charges(env, invoice_id)
    assert [(r["status"], r["failure_code"]) for r in rows] == [("action_required", "payer_action_required")]
    assert len(paypal_charges(env, invoice_id)) == 1
    notices = await outbox(env.db_url, FAILED, invoice_id=str(invoice_id))
    assert len(notices) == 1 and notices[0]["action_needed"] is True


async def test_b21_stopping_paypal_autopay_cancels_the_agreement_at_paypal(env: PaymentsEnv) -> None:
    due = date(2033, 8, 10)
    client_id, invoice_id = await autopay_client(env, due)
    token_id = str((await sql(env.db_url, "SELECT method_ref FROM saved_payment_methods WHERE client_id = $1",
                              client_id))[0]["method_ref"])
    assert token_id in env.paypal.vault.payment_tokens
    off = await env.billing.delete("/autopay", headers=auth(client_id))
    assert off.status_code == 200 and off.json()["enabled"] is False and off.json()["method"] is None
    # PayPal no longer holds the agreement (its payment token deleted); here the method is removed.
    assert token_id not in env.paypal.vault.payment_tokens
    assert ("DELETE", f"/v3/vault/payment-tokens/{token_id}", None) in env.paypal.calls
    assert (await env.billing.get("/saved-methods", headers=auth(client_id))).json() == []
    await scheduler(env, due)
    assert await charges(env, invoice_id) == [] and paypal_charges(env, invoice_id) == []
    again = await env.billing.delete("/autopay", headers=auth(client_id))  # already off: nothing changes
    assert again.status_code == 200 and again.json()["enabled"] is False


async def test_b21_an_agreement_cancelled_at_paypal_stops_autopay(env: PaymentsEnv) -> None:
    """The payer cancels the agreement from PayPal's own settings: PayPal's VAULT.PAYMENT-TOKEN.DELETED, verified,
    removes the method here and auto-pay stops; its redelivery changes nothing."""
    client_id = await new_client(env.db_url, country="US")
    method = await save_paypal(env, client_id)
    assert (await env.billing.put("/autopay", headers=auth(client_id),
                                  json={"method_id": method["id"]})).status_code == 200
    ref = (await sql(env.db_url, "SELECT method_ref FROM saved_payment_methods WHERE id = $1",
                     uuid.UUID(str(method["id"]))))[0]["method_ref"]
    event = env.paypal.event("VAULT.PAYMENT-TOKEN.DELETED", {"id": str(ref)})
    for _ in range(2):
        answer = await env.billing.post("/webhooks/paypal", content=json.dumps(event),
                                        headers=paypal_headers(event, PAYPAL_WEBHOOK_ID))
        assert answer.status_code == 200, answer.text
        await env.webhooks_done()
    assert (await env.billing.get("/autopay", headers=auth(client_id))).json()["enabled"] is False
    assert (await env.billing.get("/saved-methods", headers=auth(client_id))).json() == []


async def test_b20_a_uyu_account_cannot_save_paypal_and_is_told_to_switch_to_usd(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, currency="UYU", country="UY")
    refused = await env.billing.post("/saved-methods", headers=auth(client_id), json={"provider": "paypal"})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["switch_to"] == "USD" and "USD" in refused.json()["detail"]
    assert (await env.billing.get("/saved-methods", headers=auth(client_id))).json() == []
    state = (await env.billing.get("/autopay", headers=auth(client_id))).json()
    assert "paypal" not in state["providers"] and "stripe" in state["providers"]

"""B-21 with PayPal's vault, what PayPal tells us after the fact, against the local PayPal over real HTTP: a setup token
the payer never approves expires at PayPal without any notification, so the client's page, asking about it, ends the
setup as failed (never left pending); and a charge of the saved account is notified again by PAYMENT.CAPTURE.COMPLETED,
which with the charge's own answer, in either order, applies the payment once (B-19)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from billing_helpers import auth, outbox, sql
from payments_support import PAYPAL_WEBHOOK_ID, PaymentsEnv, new_client, payments_env
from test_b21_autopay import charges, invoice_status, scheduler
from test_b21_autopay_paypal import autopay_client

from abono.testing import wait_for
from billing.fakes import paypal_headers
from billing.fakes.checkout import WebhookTarget


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


def capture_event(env: PaymentsEnv, invoice_id: uuid.UUID) -> dict[str, Any] | None:
    """PayPal's PAYMENT.CAPTURE.COMPLETED for the vaulted charge of this invoice, once PayPal sent it."""
    found = [e for e in env.paypal.vault.events if e["resource"]["custom_id"] == str(invoice_id)]
    assert len(found) <= 1
    return found[0] if found else None


async def deliver(env: PaymentsEnv, event: dict[str, Any]) -> None:
    answer = await env.billing.post("/webhooks/paypal", content=json.dumps(event),
                                    headers=paypal_headers(event, PAYPAL_WEBHOOK_ID))
    assert answer.status_code == 200, answer.text
    await env.webhooks_done()


async def paid_once(env: PaymentsEnv, invoice_id: uuid.UUID, capture_id: str) -> None:
    assert await invoice_status(env, invoice_id) == "paid"
    payments = await sql(env.db_url, "SELECT method, payment_key FROM payments WHERE invoice_id = $1", invoice_id)
    assert payments == [{"method": "paypal", "payment_key": f"paypal:{capture_id}"}]
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=str(invoice_id))) == 1


async def test_b21_a_paypal_setup_never_approved_ends_failed_when_paypal_expired_it(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    started = await env.billing.post("/saved-methods", headers=auth(client_id), json={"provider": "paypal"})
    assert started.status_code == 201, started.text
    method_id = started.json()["id"]
    setup_id = str(started.json()["redirect_url"]).rsplit("=", 1)[1]
    back = await env.billing.post(f"/saved-methods/{method_id}/confirm", headers=auth(client_id))
    assert back.json()["status"] == "pending"  # not approved at PayPal's page (cancelled, or left)
    env.paypal.vault.expire_setup(setup_id)  # 3 hours later, with no webhook
    later = await env.billing.post(f"/saved-methods/{method_id}/confirm", headers=auth(client_id))
    assert later.status_code == 200 and later.json()["status"] == "failed", later.text
    row = (await sql(env.db_url, "SELECT status, method_ref, saved_at FROM saved_payment_methods WHERE id = $1",
                     uuid.UUID(method_id)))[0]
    assert row == {"status": "failed", "method_ref": None, "saved_at": None}
    again = await env.billing.post(f"/saved-methods/{method_id}/confirm", headers=auth(client_id))
    assert again.json()["status"] == "failed"  # stays failed
    on = await env.billing.put("/autopay", headers=auth(client_id), json={"method_id": method_id})
    assert on.status_code == 409 and on.headers["content-type"].startswith("application/problem+json")
    assert (await env.billing.get("/saved-methods", headers=auth(client_id))).json() == []


async def test_b21_paypal_charge_answer_then_capture_webhook_applies_the_payment_once(env: PaymentsEnv) -> None:
    """PayPal itself (the fake, with the platform's webhook URL) sends PAYMENT.CAPTURE.COMPLETED right after its
    answer to the charge; later redeliveries change nothing."""
    due = date(2034, 2, 10)
    _, invoice_id = await autopay_client(env, due)
    env.paypal.webhook = WebhookTarget(url=f"{str(env.billing.base_url).rstrip('/')}/webhooks/paypal", secret="")
    try:
        await scheduler(env, due)
    finally:
        env.paypal.webhook = None
    event = capture_event(env, invoice_id)
    assert event is not None and event["event_type"] == "PAYMENT.CAPTURE.COMPLETED"

    async def processed() -> bool:
        rows = await sql(env.db_url, "SELECT outcome FROM provider_events WHERE provider = 'paypal' AND "
                         "external_id = $1 AND processed_at IS NOT NULL", event["id"])
        return len(rows) == 1

    await wait_for(processed, what="PayPal's capture webhook processed")
    await paid_once(env, invoice_id, event["resource"]["id"])
    await deliver(env, event)  # redelivered
    await deliver(env, env.paypal.event("PAYMENT.CAPTURE.COMPLETED", event["resource"]))  # sent again, new id
    await paid_once(env, invoice_id, event["resource"]["id"])
    assert [r["status"] for r in await charges(env, invoice_id)] == ["succeeded"]


async def test_b21_paypal_capture_webhook_before_the_charge_answer_applies_the_payment_once(
    env: PaymentsEnv,
) -> None:
    due = date(2034, 4, 10)
    _, invoice_id = await autopay_client(env, due)
    hold = env.paypal.vault.hold = asyncio.Event()  # PayPal's answer to the charge is late
    try:
        charging = asyncio.create_task(scheduler(env, due))
        await wait_for(lambda: capture_event(env, invoice_id) is not None, what="PayPal captured the charge")
        event = capture_event(env, invoice_id)
        assert event is not None
        await deliver(env, event)  # the webhook is applied while the charge still waits for its answer
        await paid_once(env, invoice_id, event["resource"]["id"])
        assert [r["status"] for r in await charges(env, invoice_id)] == ["pending"]
        hold.set()
        await charging
    finally:
        hold.set()
        env.paypal.vault.hold = None
    await paid_once(env, invoice_id, event["resource"]["id"])
    assert [r["status"] for r in await charges(env, invoice_id)] == ["succeeded"]

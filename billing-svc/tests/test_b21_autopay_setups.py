"""B-21 (#15 item 2): a card being saved never stays pending. Stripe's webhooks, sent by the local Stripe as Stripe
sends them, settle it: `setup_intent.succeeded` activates the card even when the client never comes back to the
panel; `setup_intent.setup_failed` (the bank refused the card) and `checkout.session.expired` (a setup page left
unfinished) end it as failed, never charged, and a card saved afterwards on the same open page still activates it.
Each event applies once."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from billing_helpers import auth, sql
from payments_support import STRIPE_SECRET, PaymentsEnv, new_client, payments_env

from billing.fakes import stripe_headers


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


async def start(env: PaymentsEnv, client_id: uuid.UUID) -> tuple[str, str]:
    """The client asks to save a card: (the pending method's id, Stripe's setup session)."""
    started = await env.billing.post("/saved-methods", headers=auth(client_id), json={"provider": "stripe"})
    assert started.status_code == 201, started.text
    method = started.json()
    assert method["status"] == "pending"
    return str(method["id"]), str(method["redirect_url"]).rsplit("/", 1)[1]


async def deliver(env: PaymentsEnv, *events: dict[str, Any]) -> None:
    """Stripe's webhook requests, signed as Stripe signs them, each processed before returning."""
    for event in events:
        body = json.dumps(event)
        answer = await env.billing.post("/webhooks/stripe", content=body, headers=stripe_headers(body, STRIPE_SECRET))
        assert answer.status_code == 200, answer.text
    await env.webhooks_done()


async def stored(env: PaymentsEnv, method_id: str) -> dict[str, object]:
    [row] = await sql(env.db_url, "SELECT status, label, method_ref, saved_at FROM saved_payment_methods "
                                  "WHERE id = $1", uuid.UUID(method_id))
    return row


async def listed(env: PaymentsEnv, client_id: uuid.UUID) -> list[str]:
    return [m["id"] for m in (await env.billing.get("/saved-methods", headers=auth(client_id))).json()]


async def test_b21_setup_intent_succeeded_saves_the_card_though_the_client_never_came_back(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    method_id, session_id = await start(env, client_id)
    pm = env.stripe.saved.complete_setup(session_id)  # saved at Stripe; the browser closed before the return
    events = env.stripe.saved.setup_events(session_id)
    assert [e["type"] for e in events] == ["checkout.session.completed", "setup_intent.succeeded"]
    await deliver(env, *events)
    row = await stored(env, method_id)
    assert (row["status"], row["label"], row["method_ref"]) == ("active", "Visa •••• 4242 (12/2034)", pm)
    assert await listed(env, client_id) == [method_id]
    await deliver(env, *events)  # Stripe retries: the same events change nothing
    assert await stored(env, method_id) == row
    confirmed = await env.billing.post(f"/saved-methods/{method_id}/confirm", headers=auth(client_id))
    assert confirmed.json()["status"] == "active"  # the late return agrees


async def test_b21_a_refused_card_ends_the_setup_as_failed_and_another_card_then_saves_it(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    method_id, session_id = await start(env, client_id)
    refused = env.stripe.saved.fail_setup(session_id)
    assert refused["type"] == "setup_intent.setup_failed"
    await deliver(env, refused)
    assert (await stored(env, method_id))["status"] == "failed"
    assert await listed(env, client_id) == []  # nothing that could be charged
    back = await env.billing.post(f"/saved-methods/{method_id}/confirm", headers=auth(client_id))
    assert back.json()["status"] == "failed"  # the panel says it was not saved, not "waiting"
    env.stripe.saved.complete_setup(session_id)  # the page stays open: the client tries a good card
    await deliver(env, *env.stripe.saved.setup_events(session_id))
    assert (await stored(env, method_id))["status"] == "active"


async def test_b21_a_setup_page_left_unfinished_expires_as_failed(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    method_id, session_id = await start(env, client_id)
    expired = env.stripe.saved.expire_setup(session_id)  # Stripe, 24 hours later
    assert expired["type"] == "checkout.session.expired" and expired["data"]["object"]["mode"] == "setup"
    await deliver(env, expired)
    row = await stored(env, method_id)
    assert row["status"] == "failed" and row["method_ref"] is None and row["saved_at"] is None
    back = await env.billing.post(f"/saved-methods/{method_id}/confirm", headers=auth(client_id))
    assert back.json()["status"] == "failed"
    assert await listed(env, client_id) == []

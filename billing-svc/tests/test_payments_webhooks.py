"""Webhooks (issue #4 step 2, B-19): verified on the raw body before anything else, stored once, processed from the
store; duplicates, concurrency and any order make one payment and one InvoicePaid."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from billing_helpers import auth, outbox, sql
from payments_support import (
    MP_SECRET,
    STRIPE_OLD_SECRET,
    STRIPE_SECRET,
    PaymentsEnv,
    new_client,
    payments_env,
    post_stripe,
    unpaid_order,
)
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_cursor

from abono.clock import SystemClock
from abono.testing import wait_for
from billing.fakes import mercadopago_request, stripe_headers
from billing.payments import jobs, webhooks
from billing.payments.provider import EventEffect
from billing.payments.verify import VerifiedEvent


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


async def stripe_checkout(env: PaymentsEnv, country: str = "US") -> tuple[uuid.UUID, str, str]:
    """A client's unpaid invoice with a Stripe Checkout Session: (client, invoice id, session id)."""
    client_id = await new_client(env.db_url, country=country)
    placed = await unpaid_order(env.billing, client_id)
    paid = await env.billing.post(f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id),
                                  json={"method": "stripe"})
    assert paid.status_code == 200, paid.text
    return client_id, str(placed["invoice_id"]), paid.json()["provider_ref"]


async def event_count(env: PaymentsEnv) -> int:
    return int((await sql(env.db_url, "SELECT count(*) AS n FROM provider_events"))[0]["n"])  # type: ignore[call-overload]


async def wait_paid(env: PaymentsEnv, invoice_id: str) -> list[dict[str, object]]:
    async def paid() -> bool:
        return bool(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id))

    await wait_for(paid, what="InvoicePaid")
    return await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)


async def payments_of(env: PaymentsEnv, invoice_id: str) -> list[dict[str, object]]:
    return await sql(env.db_url, "SELECT payment_key, amount_minor, method FROM payments WHERE invoice_id = $1",
                     uuid.UUID(invoice_id))


async def test_b19_stripe_rejects_bad_signatures_before_writing_anything(env: PaymentsEnv) -> None:
    _, _, sid = await stripe_checkout(env)
    pid = env.stripe.complete(sid)
    event = env.stripe.event("payment_intent.succeeded", env.stripe.intents[pid])
    body = json.dumps(event)
    before = await event_count(env)
    now = int(time.time())
    cases = {
        "tampered body": (body.replace('"succeeded"', '"succeeded" '), stripe_headers(body, STRIPE_SECRET), 401),
        "wrong secret": (body, stripe_headers(body, "whsec_someone_else"), 401),
        "stale timestamp": (body, stripe_headers(body, STRIPE_SECRET, now - 330), 401),
        "future timestamp": (body, stripe_headers(body, STRIPE_SECRET, now + 330), 401),
        "missing header": (body, {"Content-Type": "application/json"}, 400),
        "garbage header": (body, {"Stripe-Signature": "nonsense"}, 401),
    }
    for name, (content, headers, status) in cases.items():
        answer = await env.billing.post("/webhooks/stripe", content=content, headers=headers)
        assert answer.status_code == status, (name, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert await event_count(env) == before  # nothing written
    # Within the tolerance both ways, and under the previous secret during a rotation: accepted.
    assert (await post_stripe(env.billing, event, timestamp=now + 60)).status_code == 200
    again = env.stripe.event("payment_intent.succeeded", env.stripe.intents[pid])
    assert (await post_stripe(env.billing, again, secret=STRIPE_OLD_SECRET, timestamp=now - 60)).status_code == 200


async def test_b19_the_same_event_ten_times_concurrently_pays_once(env: PaymentsEnv) -> None:
    _, invoice_id, sid = await stripe_checkout(env)
    env.stripe.complete(sid)
    event = env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])
    answers = await asyncio.gather(*(post_stripe(env.billing, event) for _ in range(10)))
    assert [a.status_code for a in answers] == [200] * 10
    assert sum(not a.json()["duplicate"] for a in answers) == 1
    paid = await wait_paid(env, invoice_id)
    await env.webhooks_done()  # the nine duplicates' processing too
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    assert paid[0]["method"] == "stripe"
    payments = await payments_of(env, invoice_id)
    assert len(payments) == 1 and payments[0]["amount_minor"] == 1500
    rows = await sql(env.db_url, "SELECT processed_at, outcome FROM provider_events WHERE external_id = $1",
                     event["id"])
    assert len(rows) == 1 and rows[0]["outcome"] == "applied"


async def test_b19_paid_before_created_and_two_event_kinds_for_one_payment_pay_once(env: PaymentsEnv) -> None:
    _, invoice_id, sid = await stripe_checkout(env)
    pid = env.stripe.complete(sid)
    intent = env.stripe.intents[pid]
    succeeded = env.stripe.event("payment_intent.succeeded", intent)
    created = env.stripe.event("payment_intent.created", {**intent, "status": "requires_payment_method"})
    completed = env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])
    for event in (succeeded, completed, created):  # out of order, and two events of the same payment
        assert (await post_stripe(env.billing, event)).status_code == 200
    await wait_paid(env, invoice_id)
    await env.webhooks_done()
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    assert [p["payment_key"] for p in await payments_of(env, invoice_id)] == [f"stripe:{pid}"]
    attempt = await sql(env.db_url, "SELECT status FROM payment_attempts WHERE invoice_id = $1",
                        uuid.UUID(invoice_id))
    assert attempt[0]["status"] == "paid"


async def mp_checkout(env: PaymentsEnv) -> tuple[str, str]:
    client_id = await new_client(env.db_url, currency="ARS", country="AR")
    placed = await unpaid_order(env.billing, client_id)
    paid = await env.billing.post(f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id),
                                  json={"method": "mercadopago"})
    assert paid.status_code == 200, paid.text
    return str(placed["invoice_id"]), paid.json()["provider_ref"]


async def post_mp(billing: httpx.AsyncClient, data_id: str, secret: str = MP_SECRET,
                  **kwargs: object) -> httpx.Response:
    query, headers, body = mercadopago_request(data_id, secret, **kwargs)  # type: ignore[arg-type]
    return await billing.post(f"/webhooks/mercadopago?{query}", content=body, headers=headers)


async def test_b19_mercadopago_rejects_bad_signatures_before_writing_anything(env: PaymentsEnv) -> None:
    _, pref = await mp_checkout(env)
    pid = env.mp.pay(pref)
    before = await event_count(env)
    now = int(time.time())
    assert (await post_mp(env.billing, pid, secret="not-the-secret")).status_code == 401
    assert (await post_mp(env.billing, pid, ts=now - 330)).status_code == 401
    assert (await post_mp(env.billing, pid, ts=now + 330)).status_code == 401
    query, headers, body = mercadopago_request(pid, MP_SECRET)
    for missing in ("x-signature", "x-request-id"):
        partial = {k: v for k, v in headers.items() if k != missing}
        answer = await env.billing.post(f"/webhooks/mercadopago?{query}", content=body, headers=partial)
        assert answer.status_code == 400, missing
    assert (await env.billing.post("/webhooks/mercadopago?type=payment", content=body, headers=headers)
            ).status_code == 400  # no data.id
    other = str(int(pid) + 1)  # the signature covers data.id: another payment's id does not verify
    assert (await env.billing.post(f"/webhooks/mercadopago?data.id={other}&type=payment", content=body,
                                   headers=headers)).status_code == 401
    assert await event_count(env) == before


async def test_b19_mercadopago_status_is_always_read_from_the_payments_api(env: PaymentsEnv) -> None:
    invoice_id, pref = await mp_checkout(env)
    pid = env.mp.pay(pref, status="pending")  # a Pago Fácil coupon printed, not paid yet
    # The body claims "approved": it is not signed, so it changes nothing.
    query, headers, body = mercadopago_request(pid, MP_SECRET)
    forged = body.replace('"payment.updated"', '"payment.updated", "status": "approved"')
    assert (await env.billing.post(f"/webhooks/mercadopago?{query}", content=forged, headers=headers)
            ).status_code == 200

    async def processed() -> bool:
        rows = await sql(env.db_url, "SELECT outcome FROM provider_events WHERE object_id = $1", pid)
        return bool(rows) and rows[0]["outcome"] == "pending"

    await wait_for(processed, what="pending outcome")
    assert await payments_of(env, invoice_id) == []
    env.mp.payments[pid]["status"] = "approved"  # the client paid at Rapipago
    assert (await post_mp(env.billing, pid)).status_code == 200
    paid = await wait_paid(env, invoice_id)
    assert paid[0]["method"] == "mercadopago" and paid[0]["total"] == {"amount_minor": 1_800_000, "currency": "ARS"}
    assert [p["payment_key"] for p in await payments_of(env, invoice_id)] == [f"mercadopago:{pid}"]
    assert ("GET", f"/v1/payments/{pid}", None) in [(m, p, None) for m, p, _ in env.mp.calls]


async def test_b19_an_event_stored_but_never_processed_is_picked_up_by_the_sweep(env: PaymentsEnv) -> None:
    _, invoice_id, sid = await stripe_checkout(env)
    env.stripe.complete(sid)
    event = env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])
    # The process died between storing the event (committed) and processing it.
    async with env.sessionmaker() as session, session.begin():
        await webhooks.store_event(session=session, clock=SystemClock(), settings=env.settings, event=VerifiedEvent(
            provider="stripe", external_id=event["id"], event_type=event["type"], object_id=None,
            body=json.dumps(event)))
    await sql(env.db_url, "UPDATE provider_events SET next_attempt_at = now() - interval '1 second' "
              "WHERE external_id = $1", event["id"])
    done = await jobs.sweep(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                               providers=env.providers)
    assert done >= 1
    assert len(await wait_paid(env, invoice_id)) == 1


async def test_f1_a_stripe_payment_reports_the_cards_fingerprint_on_invoice_paid(env: PaymentsEnv) -> None:
    """F-1: the signed event does not carry the card; billing reads the intent's charge and reports Stripe's card
    fingerprint on `InvoicePaid` (the affiliate service refuses a self-referral paid with the affiliate's card)."""
    card = f"fp_{uuid.uuid4().hex[:12]}"
    _, invoice_id, sid = await stripe_checkout(env)
    env.stripe.complete(sid, card_fingerprint=card)
    event = env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])
    assert "latest_charge" not in event["data"]["object"]  # type: ignore[index]
    assert (await post_stripe(env.billing, event)).status_code == 200
    paid = await wait_paid(env, invoice_id)
    assert paid[0]["payer_fingerprint"] == f"stripe:card:{card}"
    # Another card, another fingerprint; a transfer confirmed by staff has none.
    _, other_invoice, other_sid = await stripe_checkout(env)
    pid = env.stripe.complete(other_sid)
    assert (await post_stripe(env.billing, env.stripe.event("payment_intent.succeeded",
                                                            env.stripe.intents[pid]))).status_code == 200
    other = (await wait_paid(env, other_invoice))[0]["payer_fingerprint"]
    assert isinstance(other, str) and other.startswith("stripe:card:fp_") and other != paid[0]["payer_fingerprint"]


async def test_b19_a_processing_failure_rolls_back_every_effect_counts_the_attempt_and_the_sweep_pays_once(
        env: PaymentsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """The event's effects and its "done" share one transaction (no savepoint since issue 20): a failure after the
    payment, the settlement and `InvoicePaid` were written leaves none of them, and the stored event counts the
    attempt, keeps the error and waits for the sweep, which then pays once."""
    _, invoice_id, sid = await stripe_checkout(env)
    env.stripe.complete(sid)
    event = env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("done mark unavailable")

    monkeypatch.setattr(jobs.ProviderEventRepository, "mark_processed", broken)  # after every effect of a payment
    assert (await post_stripe(env.billing, event)).status_code == 200
    await env.webhooks_done()
    stored = "SELECT attempts, last_error, processed_at, next_attempt_at > now() AS later FROM provider_events " \
             "WHERE external_id = $1"
    rows = await sql(env.db_url, stored, event["id"])
    assert len(rows) == 1 and rows[0]["attempts"] == 1 and rows[0]["processed_at"] is None and rows[0]["later"]
    assert "done mark unavailable" in str(rows[0]["last_error"])
    assert await payments_of(env, invoice_id) == []
    assert await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id) == []
    status = await sql(env.db_url, "SELECT status FROM invoices WHERE id = $1", uuid.UUID(invoice_id))
    assert status[0]["status"] == "unpaid"
    monkeypatch.undo()
    await sql(env.db_url, "UPDATE provider_events SET next_attempt_at = now() - interval '1 second' "
              "WHERE external_id = $1", event["id"])
    assert await jobs.sweep(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                            providers=env.providers) >= 1
    assert len(await wait_paid(env, invoice_id)) == 1
    assert len(await payments_of(env, invoice_id)) == 1
    rows = await sql(env.db_url, stored, event["id"])
    assert rows[0]["attempts"] == 2 and rows[0]["processed_at"] is not None



async def paid_at_stripe_stored_and_read_ahead(env: PaymentsEnv) -> tuple[str, VerifiedEvent, EventEffect | None]:
    """A checkout paid at Stripe whose webhook was stored as its request stores it and read ahead as the lane reads
    it (not processed yet): the invoice, the stored event, what the provider said it means."""
    _, invoice_id, sid = await stripe_checkout(env)
    env.stripe.complete(sid)
    event = env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])
    stored = VerifiedEvent(provider="stripe", external_id=event["id"], event_type=event["type"], object_id=None,
                           body=json.dumps(event))
    async with env.sessionmaker() as session, session.begin():
        await webhooks.store_event(session=session, clock=SystemClock(), settings=env.settings, event=stored)
    return invoice_id, stored, await webhooks.read_ahead(env.providers, stored)


async def test_issue20_a_stripe_payments_credit_lock_attempts_and_client_come_with_other_statements(
        env: PaymentsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """A webhook's processing (read ahead as the lane does), counted at the driver's cursor (12 before; no claim of
    its own since session 14: the done mark is it): the invoice's lock, the payment recorded with the client's credit
    lock (B-10) and its attempts marked paid, the balance with the client's row (given to F-4's referral check), the
    settlement (B-7), the period and the reactivation, `InvoicePaid` and the event done; no round trip of its own for
    the credit lock, the attempts nor the client."""
    invoice_id, stored, ahead = await paid_at_stripe_stored_and_read_ahead(env)
    statements: list[str] = []
    execute = AsyncAdapt_asyncpg_cursor._prepare_and_execute
    processing = asyncio.current_task()  # not another task's (an app's revocation poll ran into the count once)

    async def counted(cursor: Any, operation: str, parameters: Any) -> None:
        if asyncio.current_task() is processing:
            statements.append(" ".join(operation.split()))
        await execute(cursor, operation, parameters)

    monkeypatch.setattr(AsyncAdapt_asyncpg_cursor, "_prepare_and_execute", counted)
    outcome = await jobs.process_event(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                                       providers=env.providers, provider="stripe", external_id=stored.external_id,
                                       received=stored, ahead=ahead)
    monkeypatch.undo()

    assert outcome == "applied"
    assert len(statements) == 8, "\n".join(s[:150] for s in statements)
    assert not [s for s in statements if s.startswith("SELECT provider_events")]
    assert not [s for s in statements if s.startswith(("SELECT pg_advisory_xact_lock", "UPDATE payment_attempts"))]
    assert ["credit_entries" in s for s in statements if s.startswith("SELECT clients.")] == [True]
    assert len(await wait_paid(env, invoice_id)) == 1
    assert len(await payments_of(env, invoice_id)) == 1
    attempt = await sql(env.db_url, "SELECT status FROM payment_attempts WHERE invoice_id = $1",
                        uuid.UUID(invoice_id))
    assert [a["status"] for a in attempt] == ["paid"]


async def test_b19_a_webhook_read_ahead_whose_event_another_worker_processed_first_rolls_back_and_pays_once(
        env: PaymentsEnv) -> None:
    """Issue 20: a new webhook's done mark is its claim. If another worker (the sweep, a redelivery) processed the
    event while this one ran, this one's effects roll back at its done mark: one payment, one `InvoicePaid`, the
    event counted once with the first outcome."""
    invoice_id, stored, ahead = await paid_at_stripe_stored_and_read_ahead(env)
    common = {"sessionmaker": env.sessionmaker, "clock": SystemClock(), "settings": env.settings,
              "providers": env.providers, "provider": "stripe", "external_id": stored.external_id}
    assert await jobs.process_event(**common) == "applied"  # the other worker: claimed, processed, committed

    assert await jobs.process_event(**common, received=stored, ahead=ahead) is None

    assert len(await payments_of(env, invoice_id)) == 1
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    rows = await sql(env.db_url, "SELECT attempts, outcome FROM provider_events WHERE external_id = $1",
                     stored.external_id)
    assert [(r["attempts"], r["outcome"]) for r in rows] == [(1, "applied")]

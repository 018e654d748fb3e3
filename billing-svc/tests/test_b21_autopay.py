"""B-21 automatic payment (issue #15 item 2) against the local Stripe over real HTTP: a card saved through a
SetupIntent (Checkout in setup mode), auto-pay on, and the scheduler charging renewal invoices off-session
(`confirm=true, off_session=true`): once on the due date with two schedulers running, a decline retried on the
next days and then notified with a link to pay by hand, SCA ending in one "action needed" notice and no loop,
each attempt with its own stored idempotency key; stopping auto-pay or removing the card takes effect at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from billing_helpers import auth, outbox, pay, sql
from payments_support import PaymentsEnv, new_client, payments_env, unpaid_order

from abono.auth import Role
from abono.clock import FixedClock
from abono.money import Money
from abono.testing import wait_for
from billing.autopay.charging import charge_key, schedule
from billing.autopay.jobs import plan_charges, run_autopay
from billing.config import BillingSettings
from billing.payments.provider import CheckoutInvoice, SavedMethod, SavesMethods
from billing.scheduler.runner import run_once

SETTINGS = BillingSettings()
TZ = ZoneInfo(SETTINGS.calendar_timezone)
FAILED = "billing.payment.automatic_failed"  # the seam shared with direct debit (AutomaticPaymentFailed)
CARD_OK, CARD_DECLINED, CARD_SCA = "4242424242424242", "4000000000000341", "4000002760003184"


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


def noon(day: date) -> FixedClock:
    return FixedClock(datetime.combine(day, time(12), tzinfo=TZ).astimezone(UTC))


async def scheduler(env: PaymentsEnv, day: date) -> None:
    """One full scheduler pass (renewals, auto-pay, dunning ...) at noon of `day`, as a replica runs it."""
    await run_once(sessionmaker=env.sessionmaker, clock=noon(day), settings=env.settings, providers=env.providers)


async def save_card(env: PaymentsEnv, client_id: uuid.UUID, card: str = CARD_OK) -> dict[str, object]:
    """The client saves a card at Stripe's setup page (the fake's) and comes back: the active method."""
    started = await env.billing.post("/saved-methods", headers=auth(client_id), json={"provider": "stripe"})
    assert started.status_code == 201, started.text
    method = started.json()
    assert method["status"] == "pending" and "/setup/cs_test_" in method["redirect_url"]
    session_id = str(method["redirect_url"]).rsplit("/", 1)[1]
    session = env.stripe.sessions[session_id]
    assert session["mode"] == "setup" and session["setup_intent"].startswith("seti_")
    assert session["success_url"].endswith(f"/autopay?method={method['id']}&setup={{CHECKOUT_SESSION_ID}}")
    # Not saved yet: confirming early changes nothing.
    early = await env.billing.post(f"/saved-methods/{method['id']}/confirm", headers=auth(client_id))
    assert early.json()["status"] == "pending"
    env.stripe.saved.complete_setup(session_id, card=card)
    confirmed = await env.billing.post(f"/saved-methods/{method['id']}/confirm", headers=auth(client_id))
    assert confirmed.status_code == 200, confirmed.text
    saved: dict[str, object] = confirmed.json()
    assert saved["status"] == "active" and saved["label"] == f"Visa •••• {card[-4:]} (12/2034)"
    return saved


async def autopay_client(env: PaymentsEnv, due_on: date, card: str = CARD_OK) -> tuple[uuid.UUID, uuid.UUID]:
    """A client with a paid monthly service renewing on `due_on`, a saved card and auto-pay on; the renewal
    invoice is issued by the scheduler (B-2). Returns (client id, renewal invoice id)."""
    client_id = await new_client(env.db_url, country="US")
    order = await unpaid_order(env.billing, client_id)
    await pay(env.billing, order["invoice_id"], order["total_due"]["amount_minor"])  # type: ignore[index]
    await sql(
        env.db_url,
        "UPDATE subscriptions SET status = 'active', next_due_on = $2 WHERE client_id = $1",
        client_id,
        due_on,
    )
    method = await save_card(env, client_id, card)
    on = await env.billing.put("/autopay", headers=auth(client_id), json={"method_id": method["id"]})
    assert on.status_code == 200 and on.json()["enabled"] and on.json()["method"]["id"] == method["id"]
    await scheduler(env, due_on - timedelta(days=SETTINGS.renewal_lead_days))
    rows = await sql(env.db_url, "SELECT id FROM invoices WHERE client_id = $1 AND kind = 'renewal'", client_id)
    assert len(rows) == 1
    return client_id, rows[0]["id"]  # type: ignore[return-value]


async def charges(env: PaymentsEnv, invoice_id: uuid.UUID) -> list[dict[str, object]]:
    return await sql(
        env.db_url,
        "SELECT attempt, status, idempotency_key, failure_code, scheduled_on FROM "
        "autopay_charges WHERE invoice_id = $1 ORDER BY attempt",
        invoice_id,
    )


def intents_for(env: PaymentsEnv, invoice_id: uuid.UUID) -> list[dict[str, object]]:
    return [i for i in env.stripe.saved.off_session if i["metadata"].get("invoice_id") == str(invoice_id)]


async def invoice_status(env: PaymentsEnv, invoice_id: uuid.UUID) -> str:
    return str((await sql(env.db_url, "SELECT status FROM invoices WHERE id = $1", invoice_id))[0]["status"])


def test_b21_schedule_is_the_due_date_then_the_retries_before_b4() -> None:
    due = date(2031, 1, 10)
    assert schedule(due, SETTINGS) == [due, due + timedelta(days=1), due + timedelta(days=2)]
    early = SETTINGS.model_copy(update={"autopay_days_before": 3, "autopay_retry_days": [1, 2, 7]})
    # A retry after the B-4 day (due + 2) is never planned.
    assert schedule(due, early) == [due - timedelta(days=3), due - timedelta(days=2), due - timedelta(days=1)]


async def test_b21_renewal_charged_once_on_the_due_date_with_two_schedulers(env: PaymentsEnv) -> None:
    due = date(2031, 2, 10)
    client_id, invoice_id = await autopay_client(env, due)
    await scheduler(env, due - timedelta(days=1))  # the day before: nothing yet (autopay_days_before = 0)
    assert await charges(env, invoice_id) == [] and intents_for(env, invoice_id) == []
    # Two schedulers (two replicas) run the same day at once.
    await asyncio.gather(scheduler(env, due), scheduler(env, due))
    await scheduler(env, due)  # and a third pass later that day
    assert await invoice_status(env, invoice_id) == "paid"
    intents = intents_for(env, invoice_id)
    assert len(intents) == 1 and intents[0]["off_session"] is True and intents[0]["status"] == "succeeded"
    rows = await charges(env, invoice_id)
    assert [(r["attempt"], r["status"]) for r in rows] == [(1, "succeeded")]
    assert rows[0]["idempotency_key"] == charge_key(invoice_id, 1)
    assert ("POST", "/v1/payment_intents", rows[0]["idempotency_key"]) in env.stripe.calls
    payments = await sql(env.db_url, "SELECT method, payment_key FROM payments WHERE invoice_id = $1", invoice_id)
    assert payments == [{"method": "stripe", "payment_key": f"stripe:{intents[0]['id']}"}]
    paid = await outbox(env.db_url, "billing.invoice.paid", invoice_id=str(invoice_id))
    assert len(paid) == 1 and paid[0]["method"] == "stripe"
    assert paid[0]["payer_fingerprint"] == f"stripe:card:fp_{intents[0]['payment_method']}"  # F-1: the saved card
    state = (await env.billing.get("/autopay", headers=auth(client_id))).json()
    assert state["charges"][0]["status"] == "succeeded" and state["days_before"] == 0


async def test_b21_a_second_scheduler_skips_the_charge_another_is_sending(env: PaymentsEnv) -> None:
    """The overlap made certain: scheduler A is inside Stripe's call (the bank is slow) while scheduler B runs a whole
    pass: B neither plans another attempt nor sends A's (its row is locked, SKIP LOCKED); A then pays once."""
    due = date(2032, 2, 10)
    _, invoice_id = await autopay_client(env, due)
    slow_bank = env.stripe.saved.gate = asyncio.Event()
    try:
        a = asyncio.create_task(run_autopay(sessionmaker=env.sessionmaker, clock=noon(due), settings=env.settings,
                                            providers=env.providers))
        key = charge_key(invoice_id, 1)
        await wait_for(lambda: ("POST", "/v1/payment_intents", key) in env.stripe.calls, what="A inside Stripe's call")
        env.stripe.saved.gate = None  # only A's call waits: a second charge by B would go through, and show
        paid_by_b = await run_autopay(sessionmaker=env.sessionmaker, clock=noon(due), settings=env.settings,
                                      providers=env.providers)
        assert paid_by_b == 0 and [c for c in env.stripe.calls if c[2] == key] == [("POST", "/v1/payment_intents", key)]
        slow_bank.set()
        assert await a == 1
    finally:
        slow_bank.set()
        env.stripe.saved.gate = None
    assert [r["status"] for r in await charges(env, invoice_id)] == ["succeeded"]
    assert len(intents_for(env, invoice_id)) == 1 and await invoice_status(env, invoice_id) == "paid"


async def test_b21_decline_retried_on_schedule_then_notified_once(env: PaymentsEnv) -> None:
    due = date(2031, 4, 10)
    _, invoice_id = await autopay_client(env, due, CARD_DECLINED)
    await scheduler(env, due)
    assert [r["status"] for r in await charges(env, invoice_id)] == ["declined"]
    assert await outbox(env.db_url, FAILED, invoice_id=str(invoice_id)) == []  # not yet: retries come
    await scheduler(env, due)  # same day again: the attempt is not repeated
    assert len(intents_for(env, invoice_id)) == 1
    await scheduler(env, due + timedelta(days=1))
    await scheduler(env, due + timedelta(days=2))
    await scheduler(env, due + timedelta(days=3))  # past the schedule: nothing more
    rows = await charges(env, invoice_id)
    assert [(r["attempt"], r["status"], r["failure_code"]) for r in rows] == [
        (1, "declined", "card_declined"),
        (2, "declined", "card_declined"),
        (3, "declined", "card_declined"),
    ]
    assert [r["scheduled_on"] for r in rows] == [due, due + timedelta(days=1), due + timedelta(days=2)]
    assert len({r["idempotency_key"] for r in rows}) == 3 and len(intents_for(env, invoice_id)) == 3
    failed = await outbox(env.db_url, FAILED, invoice_id=str(invoice_id))
    assert len(failed) == 1 and failed[0]["method"] == "stripe" and failed[0]["action_needed"] is False
    assert failed[0]["reason"] == "Visa •••• 0341 (12/2034): el banco rechazó el cobro (3 intentos automáticos)"
    assert failed[0]["next_attempt_on"] is None
    assert await invoice_status(env, invoice_id) == "unpaid"  # to be paid by hand (the notice links the invoice)


async def test_b21_a_retry_that_succeeds_pays_and_notifies_nothing(env: PaymentsEnv) -> None:
    due = date(2031, 6, 10)
    _, invoice_id = await autopay_client(env, due, CARD_DECLINED)
    await scheduler(env, due)
    method = intents_for(env, invoice_id)[0]["payment_method"]
    env.stripe.saved.outcomes[str(method)] = "succeeds"  # the client topped up the card's account
    await scheduler(env, due + timedelta(days=1))
    await scheduler(env, due + timedelta(days=2))
    assert [r["status"] for r in await charges(env, invoice_id)] == ["declined", "succeeded"]
    assert await invoice_status(env, invoice_id) == "paid"
    assert await outbox(env.db_url, FAILED, invoice_id=str(invoice_id)) == []


async def test_b21_sca_ends_in_one_action_needed_notice_and_no_loop(env: PaymentsEnv) -> None:
    due = date(2031, 8, 10)
    _, invoice_id = await autopay_client(env, due, CARD_SCA)
    for day in range(4):
        await scheduler(env, due + timedelta(days=day))
    rows = await charges(env, invoice_id)
    assert [(r["status"], r["failure_code"]) for r in rows] == [("action_required", "authentication_required")]
    assert len(intents_for(env, invoice_id)) == 1
    notices = await outbox(env.db_url, FAILED, invoice_id=str(invoice_id))
    assert len(notices) == 1 and notices[0]["action_needed"] is True  # "action needed", at once, once
    assert "autenticación del titular" in str(notices[0]["reason"])


async def test_b21_stopping_autopay_takes_effect_at_once(env: PaymentsEnv) -> None:
    due = date(2031, 10, 10)
    client_id, invoice_id = await autopay_client(env, due)
    # A charge stored (planned) for today, then the client stops auto-pay before it is sent: it is skipped.
    await plan_charges(
        sessionmaker=env.sessionmaker, clock=noon(due), settings=env.settings, providers=env.providers, today=due
    )
    off = await env.billing.delete("/autopay", headers=auth(client_id))
    assert off.status_code == 200 and off.json()["enabled"] is False and off.json()["method"] is None
    await run_autopay(sessionmaker=env.sessionmaker, clock=noon(due), settings=env.settings, providers=env.providers)
    await scheduler(env, due + timedelta(days=1))
    assert [r["status"] for r in await charges(env, invoice_id)] == ["skipped"]
    assert intents_for(env, invoice_id) == [] and await invoice_status(env, invoice_id) == "unpaid"


async def test_b21_a_crash_after_the_charge_replays_the_same_key_and_charges_once(env: PaymentsEnv) -> None:
    """The key is stored before the call: a run that died after Stripe answered is redone with the same key, and
    Stripe replays its first answer (no second PaymentIntent)."""
    due = date(2031, 12, 10)
    _, invoice_id = await autopay_client(env, due)
    await plan_charges(
        sessionmaker=env.sessionmaker, clock=noon(due), settings=env.settings, providers=env.providers, today=due
    )
    row = (
        await sql(
            env.db_url,
            "SELECT c.idempotency_key, c.amount_minor, c.currency, m.customer_ref, m.method_ref, "
            "i.number, i.payment_reference FROM autopay_charges c JOIN saved_payment_methods m ON "
            "m.id = c.method_id JOIN invoices i ON i.id = c.invoice_id WHERE c.invoice_id = $1",
            invoice_id,
        )
    )[0]
    stripe = env.providers["stripe"]
    assert isinstance(stripe, SavesMethods)
    first = await stripe.charge_saved(  # the call of the run that crashed before its commit
        method=SavedMethod(
            provider="stripe", customer_ref=str(row["customer_ref"]), method_ref=str(row["method_ref"]), label=""
        ),
        invoice=CheckoutInvoice(
            invoice_id=invoice_id,
            number=str(row["number"]),
            payment_reference=str(row["payment_reference"]),
            amount=Money(int(row["amount_minor"]), str(row["currency"])),
        ),  # type: ignore[call-overload]
        idempotency_key=str(row["idempotency_key"]),
    )
    await scheduler(env, due)
    assert len(intents_for(env, invoice_id)) == 1 and await invoice_status(env, invoice_id) == "paid"
    payments = await sql(env.db_url, "SELECT payment_key FROM payments WHERE invoice_id = $1", invoice_id)
    assert payments == [{"payment_key": f"stripe:{first.payment_id}"}]


async def test_b21_saved_methods_are_the_clients_own_and_removing_one_detaches_it(env: PaymentsEnv) -> None:
    client_id = await new_client(env.db_url, country="US")
    method = await save_card(env, client_id)
    assert [m["id"] for m in (await env.billing.get("/saved-methods", headers=auth(client_id))).json()] == [
        method["id"]
    ]
    stranger = auth(uuid.uuid4())
    assert (await env.billing.get("/saved-methods", headers=stranger)).json() == []
    assert (await env.billing.put("/autopay", headers=stranger, json={"method_id": method["id"]})).status_code == 404
    assert (await env.billing.delete(f"/saved-methods/{method['id']}", headers=stranger)).status_code == 404
    assert (
        await env.billing.put("/autopay", headers=auth(client_id), json={"method_id": method["id"]})
    ).status_code == 200
    removed = await env.billing.delete(f"/saved-methods/{method['id']}", headers=auth(client_id))
    assert removed.status_code == 204
    assert (await env.billing.get("/saved-methods", headers=auth(client_id))).json() == []
    assert (await env.billing.get("/autopay", headers=auth(client_id))).json()["enabled"] is False
    pm = [p for p in env.stripe.saved.payment_methods.values() if p["card"]["last4"] == "4242"][-1]
    assert pm["customer"] is None  # detached at Stripe: it can no longer be charged
    # Bad input: problem+json, nothing changed.
    bad = await env.billing.post("/saved-methods", headers=auth(client_id), json={"provider": "transfer"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    bad_on = await env.billing.put("/autopay", headers=auth(client_id), json={"method_id": method["id"]})
    assert bad_on.status_code == 409


async def test_b21_autopay_days_are_a_business_setting(env: PaymentsEnv) -> None:
    admin = auth(role=Role.ADMIN)
    current = (await env.billing.get("/staff/settings", headers=admin)).json()["dunning"]["value"]
    assert current["autopay_days_before"] == 0 and current["autopay_retry_days"] == [1, 2]
    for bad in ({"autopay_retry_days": [1, 1]}, {"autopay_days_before": 15}, {"autopay_retry_days": [0]}):
        refused = await env.billing.put("/staff/settings/dunning", headers=admin, json={**current, **bad})
        assert refused.status_code == 422, refused.text
    earlier = {**current, "autopay_days_before": 3, "autopay_retry_days": [5, 1]}
    saved = await env.billing.put("/staff/settings/dunning", headers=admin, json=earlier)
    assert saved.status_code == 200, saved.text
    assert saved.json()["dunning"]["value"]["autopay_retry_days"] == [1, 5]
    assert (await env.billing.delete("/staff/settings/dunning", headers=admin)).status_code == 204

"""Reconciliation of lost webhooks (B-19), chargebacks (B-17) and refunds through the provider (B-15)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from billing_helpers import auth, outbox, sql, staff
from payments_support import MP_SECRET, STRIPE_SECRET, PaymentsEnv, new_client, payments_env, unpaid_order
from sqlalchemy import event

from abono.clock import FixedClock, SystemClock
from abono.money import Money
from abono.testing import wait_for
from billing.fakes import mercadopago_request, stripe_headers
from billing.invoices.models import Invoice
from billing.payments.jobs import reconcile_once, send_refunds
from billing.payments.refunds import request_provider_refunds


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db, reconciliation_interval_seconds=0) as bench:
        yield bench


async def checkout(env: PaymentsEnv, method: str) -> tuple[uuid.UUID, str, str]:
    currency, country = ("ARS", "AR") if method == "mercadopago" else ("USD", "US")
    client_id = await new_client(env.db_url, currency=currency, country=country)
    placed = await unpaid_order(env.billing, client_id)
    paid = await env.billing.post(f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id),
                                  json={"method": method})
    assert paid.status_code == 200, paid.text
    return client_id, str(placed["invoice_id"]), paid.json()["provider_ref"]


async def reconcile(env: PaymentsEnv) -> int:
    return await reconcile_once(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                                providers=env.providers)


async def invoice_status(env: PaymentsEnv, invoice_id: str) -> object:
    return (await sql(env.db_url, "SELECT status FROM invoices WHERE id = $1", uuid.UUID(invoice_id)))[0]["status"]


@pytest.mark.parametrize("method", ["stripe", "mercadopago"])
async def test_b19_a_lost_webhook_is_recovered_by_reconciliation(env: PaymentsEnv, method: str) -> None:
    _, invoice_id, ref = await checkout(env, method)
    assert await reconcile(env) == 0 or await invoice_status(env, invoice_id) == "unpaid"
    payment_id = env.stripe.complete(ref) if method == "stripe" else env.mp.pay(ref, payment_method_id="rapipago")
    # No webhook ever arrives.
    await reconcile(env)
    assert await invoice_status(env, invoice_id) == "paid"
    paid = await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)
    assert len(paid) == 1 and paid[0]["method"] == method
    await reconcile(env)  # asked again (or the webhook comes late): nothing more
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    keys = await sql(env.db_url, "SELECT payment_key FROM payments WHERE invoice_id = $1", uuid.UUID(invoice_id))
    assert [k["payment_key"] for k in keys] == [f"{method}:{payment_id}"]


async def test_b17_a_stripe_dispute_terminates_every_service_of_the_client_once(env: PaymentsEnv) -> None:
    client_id, _, sid = await checkout(env, "stripe")
    other = await unpaid_order(env.billing, client_id, code="vps-2")  # a second service, not paid yet
    pid = env.stripe.complete(sid)
    dispute = env.stripe.dispute(pid)  # the dispute arrives before any payment event: billing asks Stripe
    body = json.dumps(dispute)
    for _ in range(2):
        answer = await env.billing.post("/webhooks/stripe", content=body, headers=stripe_headers(body, STRIPE_SECRET))
        assert answer.status_code == 200

    async def decided() -> bool:
        return bool(await outbox(env.db_url, "billing.payment.charged_back", client_id=str(client_id)))

    await wait_for(decided, what="ChargebackReceived")
    charged = await outbox(env.db_url, "billing.payment.charged_back", client_id=str(client_id))
    assert len(charged) == 1 and charged[0]["provider_payment_id"] == pid
    assert charged[0]["amount"] == {"amount_minor": 1500, "currency": "USD"}
    terminations = await outbox(env.db_url, "billing.service.termination_decided", client_id=str(client_id))
    assert len(terminations) == 1 and terminations[0]["rule"] == "B-17"
    assert len(terminations[0]["service_ids"]) == 2  # type: ignore[arg-type]
    assert str(other["service_ids"][0]) in terminations[0]["service_ids"]  # type: ignore[index, operator]
    services = (await env.billing.get("/services", headers=auth(client_id))).json()
    assert {s["status"] for s in services} == {"terminated"}


async def test_b17_a_mercadopago_chargeback_is_read_from_the_payment(env: PaymentsEnv) -> None:
    client_id, invoice_id, pref = await checkout(env, "mercadopago")
    pid = env.mp.pay(pref)
    await reconcile(env)
    assert await invoice_status(env, invoice_id) == "paid"
    env.mp.payments[pid]["status"] = "charged_back"
    query, headers, body = mercadopago_request(pid, MP_SECRET)
    assert (await env.billing.post(f"/webhooks/mercadopago?{query}", content=body, headers=headers)).status_code == 200

    async def decided() -> bool:
        return bool(await outbox(env.db_url, "billing.service.termination_decided", client_id=str(client_id)))

    await wait_for(decided, what="TerminationDecided B-17")
    assert len(await outbox(env.db_url, "billing.payment.charged_back", client_id=str(client_id))) == 1


@pytest.mark.parametrize("method", ["stripe", "mercadopago"])
async def test_b15_a_refund_goes_back_through_the_provider_that_paid(env: PaymentsEnv, method: str) -> None:
    _, invoice_id, ref = await checkout(env, method)
    payment_id = env.stripe.complete(ref) if method == "stripe" else env.mp.pay(ref)
    await reconcile(env)
    refunded = await env.billing.post(f"/staff/invoices/{invoice_id}/refund", headers=staff(),
                                      json={"reason": "satisfaction (B-15)"})
    assert refunded.status_code == 200, refunded.text
    # The staff refund recorded the provider refund in its transaction; asking again records nothing more.
    async with env.sessionmaker() as session, session.begin():
        invoice = await session.get(Invoice, uuid.UUID(invoice_id))
        assert invoice is not None
        amount = Money(invoice.subtotal_minor - invoice.discount_minor, invoice.currency)
        assert await request_provider_refunds(session=session, clock=SystemClock(), invoice=invoice,
                                              amount=amount) == []  # once per payment
    assert await send_refunds(sessionmaker=env.sessionmaker, clock=SystemClock(), providers=env.providers) == 1
    assert await send_refunds(sessionmaker=env.sessionmaker, clock=SystemClock(), providers=env.providers) == 0
    row = (await sql(env.db_url, "SELECT idempotency_key, status, amount_minor FROM provider_refunds "
                     "WHERE invoice_id = $1", uuid.UUID(invoice_id)))[0]
    assert row["status"] == "done"
    fake = env.stripe if method == "stripe" else env.mp
    path = "/v1/refunds" if method == "stripe" else f"/v1/payments/{payment_id}/refunds"
    assert ("POST", path, row["idempotency_key"]) in fake.calls
    if method == "stripe":
        assert [r["amount"] for r in env.stripe.refunds.values() if r["payment_intent"] == payment_id] == [1500]
    else:
        assert env.mp.payments[payment_id]["status"] == "refunded"


async def test_b19_a_pay_many_checkout_whose_webhook_is_lost_is_recovered_by_reconciliation(env: PaymentsEnv) -> None:
    """Several invoices paid in one card checkout (issue #13 item 3): the provider charged, no notification ever
    came; reconciliation asks about the open batch and pays each of its invoices once."""
    client_id = await new_client(env.db_url, country="US")
    ids = [str((await unpaid_order(env.billing, client_id))["invoice_id"]) for _ in range(2)]
    answer = await env.billing.post("/invoices/pay-many", headers=auth(client_id),
                                    json={"invoice_ids": ids, "method": "stripe"})
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    await reconcile(env)  # asked before the client paid: nothing yet
    assert [await invoice_status(env, i) for i in ids] == ["unpaid", "unpaid"]
    env.stripe.complete(batch["provider_ref"])
    # No webhook ever arrives.
    await reconcile(env)
    assert [await invoice_status(env, i) for i in ids] == ["paid", "paid"]
    await reconcile(env)  # asked again (or the webhook comes late): nothing more
    for invoice_id in ids:
        assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    shown = await env.billing.get(f"/invoices/pay-many/{batch['id']}", headers=auth(client_id))
    assert shown.json()["status"] == "paid"


async def test_b19_a_new_checkout_is_first_asked_about_one_interval_after_it_opened(env: PaymentsEnv) -> None:
    """Reconciliation is for lost webhooks: a checkout's own webhook normally comes within seconds, so the provider is
    not asked about it before one interval has passed since it opened (on a renewal day, one call per checkout in
    the provider's rate limit, racing the webhooks); after that it is asked, and a payment found is applied."""
    _, invoice_id, ref = await checkout(env, "stripe")
    env.stripe.complete(ref)  # paid at the provider; the webhook is lost
    settings = env.settings.model_copy(update={"reconciliation_interval_seconds": 300})
    opened = datetime.now(UTC)

    async def reconcile_at(instant: datetime) -> None:
        await reconcile_once(sessionmaker=env.sessionmaker, clock=FixedClock(instant), settings=settings,
                             providers=env.providers)

    def asked() -> int:
        return sum(1 for _, path, _ in env.stripe.calls if ref in path)

    before = asked()
    await reconcile_at(opened + timedelta(seconds=290))
    assert asked() == before and await invoice_status(env, invoice_id) == "unpaid"
    await reconcile_at(opened + timedelta(seconds=310))
    assert asked() > before and await invoice_status(env, invoice_id) == "paid"
    assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1


async def test_b19_reconciliation_reads_the_invoices_of_the_attempts_it_locks_in_one_statement(
        env: PaymentsEnv) -> None:
    """The attempts asked about are locked until the claim commits, and a webhook paying one of them waits for that
    lock (B-7, issue 20): the claim reads their invoices together, not one round trip per attempt."""
    invoices = [(await checkout(env, "stripe"))[1] for _ in range(3)]
    engine = env.sessionmaker.kw["bind"].sync_engine
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        await reconcile(env)  # nothing paid at the provider: the claim is all it writes
    finally:
        event.remove(engine, "before_cursor_execute", record)

    asked = await sql(env.db_url, "SELECT count(*) AS n FROM payment_attempts WHERE invoice_id = ANY($1::uuid[]) "
                      "AND checked_at IS NOT NULL", [uuid.UUID(i) for i in invoices])
    assert asked[0]["n"] == 3
    assert len([s for s in statements if "FROM invoices" in s]) == 1, statements

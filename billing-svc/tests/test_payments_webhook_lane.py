"""Issue 20 (B-7, B-19, F-1): stored webhooks go through two bounded stages (the provider's read,
`BILLING_WEBHOOK_READ_CONCURRENCY`; the processing's transaction, `BILLING_WEBHOOK_CONCURRENCY`), the others waiting
in the order they arrived; at a stop the lane finishes what it holds or hands it back to the sweep, due at once, paid
once; the F-1 card read from Stripe is made before the processing's transaction."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from billing_helpers import auth, outbox, sql
from payments_support import PaymentsEnv, new_client, payments_env, post_stripe, unpaid_order

from abono.clock import SystemClock
from abono.metrics import ServiceMetrics
from abono.testing import serve, wait_for
from billing.app import create_app
from billing.payments import jobs, webhooks
from billing.payments.provider import EventEffect, PaymentProvider, ProviderError, ProviderPayment, VerifiedEvent
from billing.payments.webhook_lane import WebhookLane

CONCURRENCY = 2


async def _paid_at_stripe_checkout(env: PaymentsEnv,
                                   card_fingerprint: str | None = None) -> tuple[str, dict[str, object]]:
    """A new client's unpaid order, paid at the Stripe sandbox's checkout (with that card, if given): (its invoice id,
    the webhook's event)."""
    client_id = await new_client(env.db_url)
    placed = await unpaid_order(env.billing, client_id)
    paid = await env.billing.post(f"/invoices/{placed['invoice_id']}/pay", headers=auth(client_id),
                                  json={"method": "stripe"})
    assert paid.status_code == 200, paid.text
    sid = paid.json()["provider_ref"]
    env.stripe.complete(sid, card_fingerprint=card_fingerprint)
    return str(placed["invoice_id"]), env.stripe.event("checkout.session.completed", env.stripe.sessions[sid])


def _lane_gauge(metrics: ServiceMetrics) -> list[tuple[dict[str, str], float]]:
    """`abono_billing_webhooks_in_lane`'s samples as `/metrics` renders them."""
    return [(sample.labels, sample.value) for family in metrics.registry.collect()
            if family.name == "abono_billing_webhooks_in_lane" for sample in family.samples]


@pytest.mark.parametrize("stage", ["reading", "processing"])
async def test_b19_each_stage_of_the_lane_holds_at_most_its_slots_and_lets_the_others_in_in_order(stage: str) -> None:
    lane = WebhookLane(concurrency=CONCURRENCY, read_concurrency=CONCURRENCY)
    started: list[int] = []
    release = {n: asyncio.Event() for n in range(5)}

    async def work(n: int) -> int:
        async with getattr(lane, stage).turn():
            started.append(n)
            await release[n].wait()
            return n

    metrics = ServiceMetrics("billing")
    lane.observe(metrics)
    tasks = [lane.submit(work(n)) for n in range(5)]
    await wait_for(lambda: len(started) >= CONCURRENCY, what="the first two started")
    assert started == [0, 1] and getattr(lane, stage).inside == CONCURRENCY and lane.waiting == 3
    seen = {labels["stage"]: value for labels, value in _lane_gauge(metrics)}
    assert seen == {"waiting": 3, "reading": 2 if stage == "reading" else 0,
                    "processing": 2 if stage == "processing" else 0}
    release[1].set()  # a slot frees: the oldest waiting one takes it, not a later one
    await wait_for(lambda: len(started) == 3, what="the third started")
    assert started == [0, 1, 2] and getattr(lane, stage).inside == CONCURRENCY
    for event in release.values():
        event.set()
    assert await asyncio.gather(*tasks) == [0, 1, 2, 3, 4]
    assert started == [0, 1, 2, 3, 4] and not lane.tasks and lane.waiting == 0


class _Gated:
    """Stripe, with each event's parsing held until the test lets it go (and the order it came in recorded)."""

    def __init__(self, inner: PaymentProvider) -> None:
        self.inner = inner
        self.entered: list[str] = []
        self.inside = 0
        self.most_inside = 0
        self.open = asyncio.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def parse_event(self, event: VerifiedEvent) -> EventEffect:
        self.entered.append(event.external_id)
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            await self.open.wait()
            return await self.inner.parse_event(event)
        finally:
            self.inside -= 1


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db, webhook_read_concurrency=CONCURRENCY) as bench:
        yield bench


async def _paid_webhooks(env: PaymentsEnv, count: int,
                         to: httpx.AsyncClient | None = None) -> tuple[list[str], list[str]]:
    """`count` orders paid at Stripe's checkout and their webhooks posted (to billing, or the process `to`): each
    stored and answered at once, though none may be processed yet; (their invoice ids, the events' ids)."""
    invoices, events = [], []
    for _ in range(count):
        invoice_id, event = await _paid_at_stripe_checkout(env)
        invoices.append(invoice_id)
        events.append(event)
    for event in events:
        assert (await post_stripe(to or env.billing, event)).status_code == 200
    return invoices, [str(event["id"]) for event in events]


_UNPROCESSED = "SELECT external_id FROM provider_events WHERE external_id = ANY($1) AND processed_at IS NULL"


async def test_b7_a_burst_of_webhooks_waits_in_order_and_a_stop_lets_the_lane_finish_it(
        env: PaymentsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stripe's reads (F-1) held: two at once, the others stored and waiting their turn in the order they came. A
    stop (`BILLING_WEBHOOK_DRAIN_SECONDS`) lets what the lane holds finish: nothing is left for the sweep."""
    gated = _Gated(env.app.state.payment_providers["stripe"])
    monkeypatch.setitem(env.app.state.payment_providers, "stripe", gated)
    invoices, ids = await _paid_webhooks(env, 5)
    lane: WebhookLane = env.app.state.webhook_lane
    await wait_for(lambda: len(gated.entered) == CONCURRENCY, what="the first two processing")
    assert gated.entered == ids[:2] and lane.waiting == 3
    assert len(await sql(env.db_url, _UNPROCESSED, ids)) == 5  # committed before the 2xx: never lost
    stopping = asyncio.create_task(jobs.hand_back(lane=lane, sessionmaker=env.sessionmaker, clock=SystemClock(),
                                                  grace=60))
    gated.open.set()
    assert await stopping == 0 and not lane.tasks
    assert gated.entered == ids and gated.most_inside == CONCURRENCY
    assert await sql(env.db_url, _UNPROCESSED, ids) == []
    for invoice_id in invoices:
        assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1


async def test_b7_webhooks_a_stop_cuts_short_are_due_for_the_sweep_at_once_and_paid_once(env: PaymentsEnv) -> None:
    """Issue 20: a second billing process (a replica) is stopped while two webhooks read from Stripe and one waits,
    and its `BILLING_WEBHOOK_DRAIN_SECONDS` run out: all three are cancelled (nothing of them committed) and made due
    now, so the next sweep (another replica's, or this one's after the restart) pays each once without waiting
    `BILLING_WEBHOOK_RETRY_SECONDS`."""
    replica = create_app(env.settings.model_copy(update={"webhook_drain_seconds": 0.05}))
    async with serve(replica) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        gated = _Gated(replica.state.payment_providers["stripe"])
        replica.state.payment_providers["stripe"] = gated
        invoices, ids = await _paid_webhooks(env, 3, to=http)
        await wait_for(lambda: len(gated.entered) == CONCURRENCY, what="two reading in the replica")
        due = "SELECT external_id FROM provider_events WHERE external_id = ANY($1) AND next_attempt_at <= now()"
        assert await sql(env.db_url, due, ids) == []  # their retry time is BILLING_WEBHOOK_RETRY_SECONDS away
    # Stopped (SIGTERM's path: the lifespan's shutdown): handed back, still unprocessed, due now.
    assert sorted(row["external_id"] for row in await sql(env.db_url, due, ids)) == sorted(ids)
    assert sorted(row["external_id"] for row in await sql(env.db_url, _UNPROCESSED, ids)) == sorted(ids)
    assert await jobs.sweep(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                            providers=env.providers) == 3
    for invoice_id in invoices:
        assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    assert await sql(env.db_url, _UNPROCESSED, ids) == []


async def test_f1_the_card_read_from_stripe_is_made_before_the_event_is_locked_and_a_failed_one_is_made_again(
        env: PaymentsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20: a new webhook's F-1 read (Stripe's intent with its charge: the card's fingerprint) happens before
    its processing's transaction, so no connection and no row lock wait for Stripe; the fingerprint still reaches
    `InvoicePaid`. When that read fails, it is made again inside the processing (where a failure would count)."""
    stripe = env.app.state.payment_providers["stripe"]
    read = stripe.get_payment
    locked_while_reading: list[bool] = []
    failures = 0

    async def observed(*, payment_id: str) -> ProviderPayment:
        nonlocal failures
        rows = await sql(env.db_url, "SELECT id FROM provider_events WHERE processed_at IS NULL "
                         "FOR UPDATE SKIP LOCKED")  # the event's row, unless its processing holds it
        locked_while_reading.append(len(rows) == 0)
        if failures:
            failures -= 1
            raise ProviderError("Stripe: connection reset")
        return await read(payment_id=payment_id)

    monkeypatch.setattr(stripe, "get_payment", observed)
    for failing in (0, 1):
        card = f"fp_{uuid.uuid4().hex[:12]}"
        invoice_id, event = await _paid_at_stripe_checkout(env, card_fingerprint=card)
        failures = failing
        locked_while_reading.clear()
        assert (await post_stripe(env.billing, event)).status_code == 200
        await env.webhooks_done()
        invoice_paid = await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)
        assert len(invoice_paid) == 1 and invoice_paid[0]["payer_fingerprint"] == f"stripe:card:{card}"
        # Read ahead, unlocked; after a failure, once more inside the processing (its row locked then).
        assert locked_while_reading == ([False, True] if failing else [False])


async def test_b19_after_a_restart_the_sweep_takes_its_backlog_through_the_lane_several_at_once_each_once(
        env: PaymentsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Events stored but never processed (the process stopped before their turn) are taken by the sweep through the
    app's lane: its stages' slots at once (two reads here), not one after the other, and each paid once."""
    gated = _Gated(env.providers["stripe"])
    monkeypatch.setitem(env.providers, "stripe", gated)
    invoices, ids = [], []
    for _ in range(4):
        invoice_id, event = await _paid_at_stripe_checkout(env)
        async with env.sessionmaker() as session, session.begin():  # stored; the process died before processing
            await webhooks.store_event(session=session, clock=SystemClock(), settings=env.settings, event=VerifiedEvent(
                provider="stripe", external_id=str(event["id"]), event_type=str(event["type"]), object_id=None,
                body=json.dumps(event)))
        invoices.append(invoice_id)
        ids.append(str(event["id"]))
    await sql(env.db_url, "UPDATE provider_events SET next_attempt_at = now() - interval '1 second' "
              "WHERE external_id = ANY($1)", ids)
    swept = asyncio.create_task(jobs.sweep(sessionmaker=env.sessionmaker, clock=SystemClock(), settings=env.settings,
                                           providers=env.providers, lane=env.app.state.webhook_lane))
    await wait_for(lambda: len(gated.entered) == CONCURRENCY, what="two of the backlog read at once")
    assert not swept.done() and set(gated.entered) <= set(ids)
    gated.open.set()
    assert await swept == 4 and gated.most_inside == CONCURRENCY
    for invoice_id in invoices:
        assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1

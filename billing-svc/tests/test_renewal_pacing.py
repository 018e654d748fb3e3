"""Issue 20: the renewal run (mass production) gives way to a payment in progress. Before each chunk it waits while a
payment provider's webhook is unprocessed or an urgent event is unpublished (from the last minute), at most
`renewal_yield_max_seconds` each time. No timing: the tests watch the pacer's count and what the run wrote."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from billing_helpers import sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import FixedClock
from abono.events import Lane
from abono.testing import wait_for
from billing.config import BillingSettings
from billing.renewals.jobs import issue_renewals
from billing.renewals.pacing import RenewalPacer

SETTINGS = BillingSettings()
RUN_DAY = date(2031, 3, 3)  # horizon: 18 March (B-2: 15 days ahead)


def clock() -> FixedClock:
    return FixedClock(datetime.combine(RUN_DAY, time(12), tzinfo=ZoneInfo(SETTINGS.calendar_timezone)).astimezone(UTC))


async def due_clients(url: str, count: int) -> list[uuid.UUID]:
    """`count` clients with one monthly subscription each, due within the run's horizon."""
    clients = [uuid.uuid4() for _ in range(count)]
    for client_id in clients:
        await sql(url, """INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status,
            next_due_on, activated_on, renew, created_at, updated_at)
            SELECT gen_random_uuid(), $1, p.id, p.code, 'monthly', 'USD', 'active', DATE '2031-03-10',
            DATE '2031-02-08', true, now(), now() FROM products p WHERE p.code = 'vps-1'""", client_id)
    return clients


async def renewal_invoices(url: str, clients: list[uuid.UUID]) -> int:
    rows = await sql(url, "SELECT count(*) AS n FROM invoices WHERE kind = 'renewal' AND client_id = ANY($1::uuid[])",
                     clients)
    return int(rows[0]["n"])  # type: ignore[call-overload]


async def urgent_row(url: str, *, age: timedelta = timedelta()) -> str:
    """An unpublished urgent outbox row (a payment's InvoicePaid the relay has not published yet)."""
    event_id = str(uuid.uuid4())
    await sql(url, """INSERT INTO outbox (event_id, routing_key, payload, lane, created_at)
        VALUES ($1::uuid, 'billing.invoice.paid', '{}'::jsonb, $2, now() - $3::interval)""",
              event_id, int(Lane.URGENT), age)
    return event_id


async def unprocessed_webhook(url: str, *, failed: bool = False) -> str:
    """A payment provider's webhook stored and not processed yet (`failed`: its processing failed once and it waits
    for its retry, as when the provider is down)."""
    external_id = f"evt_{uuid.uuid4().hex}"
    await sql(url, """INSERT INTO provider_events (provider, external_id, event_type, body, received_at, attempts,
        next_attempt_at, last_error) VALUES ('stripe', $1, 'checkout.session.completed', '{}', now(), $2,
        now() + $3::interval, $4)""", external_id, int(failed), timedelta(seconds=30 if failed else 0),
              "provider down" if failed else None)
    return external_id


async def clear_urgent_work(url: str) -> None:
    await sql(url, "UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND lane = $1", int(Lane.URGENT))
    await sql(url, "UPDATE provider_events SET processed_at = now() WHERE processed_at IS NULL")


@pytest.mark.parametrize("pending", ["urgent_event_unpublished", "webhook_unprocessed"])
async def test_issue20_renewal_run_waits_before_its_chunks_while_a_payment_is_in_progress(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession], pending: str) -> None:
    await clear_urgent_work(billing_db)
    clients = await due_clients(billing_db, 3)
    if pending == "urgent_event_unpublished":
        await urgent_row(billing_db)
    else:
        await unprocessed_webhook(billing_db)
    pacer = RenewalPacer(sessionmaker, max_wait=600)  # longer than any test: only the payment's end releases it
    run = asyncio.create_task(issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS,
                                             chunk_clients=1, pacer=pacer))
    try:
        await wait_for(lambda: pacer.pauses >= 1, what="the run giving way to the payment")
        assert await renewal_invoices(billing_db, clients) == 0  # no chunk started meanwhile
        assert not run.done()

        await clear_urgent_work(billing_db)  # the payment's events are on the broker

        assert await asyncio.wait_for(run, 60) == 3
    finally:
        run.cancel()
    assert await renewal_invoices(billing_db, clients) == 3


async def test_issue20_renewal_run_waits_at_most_its_limit_per_chunk_and_not_for_stale_work(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await clear_urgent_work(billing_db)
    # Pending for two minutes: the broker is down, the relay's sweep retries it; no payment goes faster for waiting.
    await urgent_row(billing_db, age=timedelta(minutes=2))
    stale = RenewalPacer(sessionmaker, max_wait=600)
    first = await due_clients(billing_db, 2)
    assert await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS, chunk_clients=1,
                                pacer=stale) == 2
    assert stale.pauses == 0
    # A webhook whose processing failed waits for its retry: the run does not wait for it either.
    await unprocessed_webhook(billing_db, failed=True)
    failing = RenewalPacer(sessionmaker, max_wait=600)
    after_failure = await due_clients(billing_db, 1)
    assert await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS, chunk_clients=1,
                                pacer=failing) == 1
    assert failing.pauses == 0

    # A payment that never ends (its event never published) slows the run by the limit per chunk, never stops it.
    await urgent_row(billing_db)
    capped = RenewalPacer(sessionmaker, max_wait=0.01)
    second = await due_clients(billing_db, 2)
    assert await issue_renewals(sessionmaker=sessionmaker, clock=clock(), settings=SETTINGS, chunk_clients=1,
                                parallel=1, pacer=capped) == 2
    assert capped.pauses == 2  # once before each chunk
    assert await renewal_invoices(billing_db, first + after_failure + second) == 5
    await clear_urgent_work(billing_db)

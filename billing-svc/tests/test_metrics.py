"""Billing's business counters on /metrics count committed facts only: a payment once per payment key (B-19),
never a rolled-back one; invoices issued once their `InvoiceIssued` was published; rejected webhooks."""

import uuid

import httpx
import pytest
from billing_helpers import auth, new_client, pay, sql, staff
from payments_support import payments_env
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import SystemClock
from abono.metrics import ServiceMetrics, bind_sessions
from abono.money import Money
from abono.testing import wait_for
from billing.config import BillingSettings
from billing.payments.service import apply_payment


async def scrape(billing: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await billing.get("/metrics")
    assert response.status_code == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def sample(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def order(billing: httpx.AsyncClient, client_id: uuid.UUID) -> dict[str, object]:
    placed = await billing.post("/orders", headers=auth(client_id), json={"items": [
        {"product_code": "vps-1", "cycle": "monthly", "quantity": 1}]})
    assert placed.status_code == 201, placed.text
    body: dict[str, object] = placed.json()
    return body


async def test_b19_payment_counts_once_per_payment_key(billing: httpx.AsyncClient, billing_db: str) -> None:
    placed = await order(billing, await new_client(billing_db))
    before = await scrape(billing)
    due = placed["total_due"]["amount_minor"]  # type: ignore[index]
    await pay(billing, placed["invoice_id"], due)
    reference = uuid.uuid4().hex  # the same transfer confirmed twice: one payment
    for _ in range(2):
        assert (await billing.post(f"/staff/invoices/{placed['invoice_id']}/confirm-transfer",
                                   headers=staff(),
                                   json={"amount_minor": 100, "transfer_reference": reference})).status_code == 200
    after = await scrape(billing)
    labels = {"provider": "transfer", "currency": "USD"}
    assert sample(after, "abono_billing_payments_total", **labels) - sample(
        before, "abono_billing_payments_total", **labels) == 2
    assert sample(after, "abono_billing_payments_amount_minor_total", **labels) - sample(
        before, "abono_billing_payments_amount_minor_total", **labels) == due + 100  # type: ignore[operator]


async def test_b2_each_published_invoice_issued_counts_once(billing: httpx.AsyncClient, billing_db: str) -> None:
    for _ in range(3):
        await order(billing, await new_client(billing_db))

    async def counted_as_published() -> bool:
        rows = await sql(billing_db, "SELECT count(*) FILTER (WHERE published_at IS NULL) AS pending, "
                                     "count(*) FILTER (WHERE published_at IS NOT NULL) AS published "
                                     "FROM outbox WHERE routing_key = 'billing.invoice.issued'")
        issued = sum(v for (name, _), v in (await scrape(billing)).items()
                     if name == "abono_billing_invoices_issued_total")
        return rows[0]["pending"] == 0 and issued == rows[0]["published"]

    # This module's app is the only relay of this database: its counter is the published InvoiceIssued rows.
    await wait_for(counted_as_published, what="every published InvoiceIssued counted once")


async def test_b19_rolled_back_payment_never_counts(billing: httpx.AsyncClient, billing_db: str,
                                                    sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    placed = await order(billing, await new_client(billing_db))
    metrics = ServiceMetrics("billing")
    bind_sessions(sessionmaker, metrics)
    settings, clock = BillingSettings(), SystemClock()
    due = int(placed["total_due"]["amount_minor"])  # type: ignore[index]
    labels = {"provider": "stripe", "currency": "USD"}
    try:
        with pytest.raises(RuntimeError):
            async with sessionmaker() as session, session.begin():
                await apply_payment(session=session, clock=clock, settings=settings,
                                    invoice_id=uuid.UUID(str(placed["invoice_id"])), amount=Money(due, "USD"),
                                    method="stripe", payment_key=f"stripe:{uuid.uuid4()}")
                raise RuntimeError("the unit of work fails after the payment")
        assert (metrics.registry.get_sample_value("abono_billing_payments_total", labels) or 0) == 0
        async with sessionmaker() as session, session.begin():
            await apply_payment(session=session, clock=clock, settings=settings,
                                invoice_id=uuid.UUID(str(placed["invoice_id"])), amount=Money(due, "USD"),
                                method="stripe", payment_key=f"stripe:{uuid.uuid4()}")
        assert metrics.registry.get_sample_value("abono_billing_payments_total", labels) == 1
        assert metrics.registry.get_sample_value("abono_billing_payments_amount_minor_total", labels) == due
    finally:
        sessionmaker.configure(info={})


async def test_b19_unsigned_webhook_counts_as_rejected(billing_db: str) -> None:
    async with payments_env(billing_db) as env:  # Stripe configured: its own check refuses the unsigned body
        before = await scrape(env.billing)
        response = await env.billing.post("/webhooks/stripe", content=b"{}")
        assert response.status_code == 400
        after = await scrape(env.billing)
    labels = {"provider": "stripe", "status": "400"}
    assert sample(after, "abono_billing_webhooks_rejected_total", **labels) - sample(
        before, "abono_billing_webhooks_rejected_total", **labels) == 1


async def test_b19_webhook_for_a_provider_not_configured_is_refused(billing: httpx.AsyncClient) -> None:
    """No provider under that id here (no credentials): 404 problem+json, nothing stored; never a guess."""
    response = await billing.post("/webhooks/stripe", content=b"{}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")

"""S-4 Decision in billing: support's month-end SLA credit is added to the client's balance (B-10) at the tier's
percentage of each service's monthly-equivalent price, once per service and month whatever the retries."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import httpx
from billing_helpers import auth, db_session, new_client, paid_order
from test_b12_promos import ANNUAL_HOSTING, MONTHLY_RADIO

from abono.db import asyncpg_dsn
from abono.events import SlaCreditDecided
from billing.credit.consumers import sla_credit_decided


def decided(service_id: uuid.UUID, client_id: uuid.UUID, percent: int) -> SlaCreditDecided:
    return SlaCreditDecided(
        service_id=service_id,
        client_id=client_id,
        month=date(2031, 4, 1),
        server="whm1",
        product_name="Plan",
        downtime_minutes=60,
        uptime_percent=Decimal("99.861"),
        credit_percent=percent,
        occurred_at=datetime(2031, 5, 1, 3, 5, tzinfo=UTC),
    )


async def test_s4_sla_credit_is_the_tiers_share_of_the_monthly_price_once_per_service_and_month(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client = await new_client(billing_db)
    hosting = (await paid_order(billing, client, ANNUAL_HOSTING))["service_ids"][0]  # type: ignore[index]
    radio = (await paid_order(billing, client, MONTHLY_RADIO))["service_ids"][0]  # type: ignore[index]
    on_hosting = decided(uuid.UUID(str(hosting)), client, 10)
    on_radio = decided(uuid.UUID(str(radio)), client, 25)
    # Redelivered, and a second event for the same service and month (e.g. a replayed month): credited once.
    for event in (on_hosting, on_hosting, on_radio, on_hosting.model_copy(update={"event_id": uuid.uuid4()})):
        async with db_session(billing_db) as session:
            await sla_credit_decided(session, event)
    # Annual hosting 6000 → 500 a month, 10% = 50; monthly radio 900, 25% = 225.
    response = await billing.get("/credit", headers=auth(client))
    assert {"amount_minor": 275, "currency": "USD"} in response.json()["balances"]
    # The client sees each credit among its credit movements: which service, which month, what share, how much.
    shown = sorted(response.json()["sla_credits"], key=lambda c: c["credit_percent"])
    assert [(c["service_id"], c["month"], c["credit_percent"], c["amount"]) for c in shown] == [
        (str(hosting), "2031-04-01", 10, {"amount_minor": 50, "currency": "USD"}),
        (str(radio), "2031-04-01", 25, {"amount_minor": 225, "currency": "USD"}),
    ]
    conn = await asyncpg.connect(asyncpg_dsn(billing_db))
    try:
        rows = await conn.fetch(
            "SELECT amount_minor, reason FROM credit_entries WHERE client_id = $1 "
            "AND reason LIKE 'S-4%' ORDER BY amount_minor",
            client,
        )
    finally:
        await conn.close()
    assert [r["amount_minor"] for r in rows] == [50, 225]
    assert "2031-04" in rows[0]["reason"] and "10% of the monthly price" in rows[0]["reason"]

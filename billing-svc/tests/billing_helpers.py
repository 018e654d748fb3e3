"""Small helpers for billing's tests: tokens, direct database sessions, catalog data."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.auth import Role
from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.errors import PROBLEM_JSON
from abono.testing import test_keys


def auth(user_id: uuid.UUID | None = None, role: Role = Role.CLIENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys().token(role, user_id=user_id or uuid.uuid4())}"}


def staff() -> dict[str, str]:
    return auth(role=Role.STAFF)


def admin(user_id: uuid.UUID | None = None) -> dict[str, str]:
    """An admin's token: the catalog and the coupons are theirs to change (issue 14 item 3)."""
    return auth(user_id, role=Role.ADMIN)


def is_problem(response: httpx.Response, status: int) -> bool:
    """A problem+json answer with this status, a title, and a detail that speaks to a person (no rule ids)."""
    body = response.json()
    return (response.status_code == status and response.headers["content-type"].startswith(PROBLEM_JSON)
            and "B-" not in body.get("detail", "") and bool(body.get("title")))


async def audit(billing_db: str, target_type: str, code: str) -> list[dict[str, Any]]:
    """Billing's audit log about one product or coupon (by code), oldest first."""
    rows = await sql(billing_db, "SELECT actor_id, action, details, at FROM audit_log WHERE target_type = $1 "
                                 "AND details->>'code' = $2 ORDER BY id", target_type, code)
    return [{**row, "details": json.loads(str(row["details"]))} for row in rows]


@asynccontextmanager
async def db_session(url: str) -> AsyncIterator[AsyncSession]:
    """One committed transaction on the test database."""
    engine = make_engine(url, pool_size=2)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            yield session
    finally:
        await engine.dispose()


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def new_client(url: str, currency: str = "USD") -> uuid.UUID:
    """A client billing knows (as if its ClientRegistered had arrived)."""
    from abono.events import ClientProfile
    from billing.clients.repository import ClientRepository

    client_id = uuid.uuid4()
    async with db_session(url) as session:
        await ClientRepository(session).upsert(
            client_id, ClientProfile(email=f"{client_id.hex[:8]}@example.test", name="Cliente", currency=currency),
            at=datetime.now(UTC))
    return client_id


async def outbox(url: str, routing_key: str, **match: str) -> list[dict[str, object]]:
    """The payloads billing emitted with `routing_key` whose top-level fields equal `match`."""
    import asyncpg

    from abono.db import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE routing_key = $1 ORDER BY id", routing_key)
    finally:
        await conn.close()
    import json

    payloads = [json.loads(r["payload"]) for r in rows]
    return [p for p in payloads if all(str(p.get(k)) == v for k, v in match.items())]


async def sql(url: str, query: str, *args: object) -> list[dict[str, object]]:
    import asyncpg

    from abono.db import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [dict(r) for r in await conn.fetch(query, *args)]
    finally:
        await conn.close()


def today() -> date:
    """The provider's calendar date now: what the billing app's (unmoved) clock says."""
    from billing.config import BillingSettings
    from billing.cycles import local_date

    return local_date(datetime.now(UTC), BillingSettings().calendar_timezone)


async def pay(billing: httpx.AsyncClient, invoice_id: object, amount_minor: object) -> dict[str, object]:
    """Staff confirm a transfer of `amount_minor` for the invoice; the payment result."""
    response = await billing.post(f"/staff/invoices/{invoice_id}/confirm-transfer", headers=staff(), json={
        "amount_minor": amount_minor, "transfer_reference": uuid.uuid4().hex})
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def paid_order(billing: httpx.AsyncClient, client_id: uuid.UUID, items: list[dict[str, object]],
                     extra_minor: int = 0) -> dict[str, object]:
    """An order, paid in full (plus `extra_minor`, kept as credit balance)."""
    placed = await billing.post("/orders", headers=auth(client_id), json={"items": items})
    assert placed.status_code == 201, placed.text
    body: dict[str, object] = placed.json()
    due = body["total_due"]["amount_minor"]  # type: ignore[index]
    assert (await pay(billing, body["invoice_id"], due + extra_minor))["invoice_status"] == "paid"
    return body


async def run_scheduler(sessionmaker: async_sessionmaker[AsyncSession], day: date) -> None:
    """One scheduler pass at noon of the provider's calendar `day`."""
    from datetime import time
    from zoneinfo import ZoneInfo

    from abono.clock import FixedClock
    from billing.config import BillingSettings
    from billing.scheduler.runner import run_once

    settings = BillingSettings()
    noon = datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.calendar_timezone)).astimezone(UTC)
    await run_once(sessionmaker=sessionmaker, clock=FixedClock(noon), settings=settings)

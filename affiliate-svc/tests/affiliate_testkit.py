"""Helpers of the affiliate tests (importable: conftest puts this folder on sys.path)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
import httpx
from fastapi import FastAPI

from abono.auth import Role
from abono.clock import AdjustableClock
from abono.db import asyncpg_dsn
from abono.events import ClientProfile, ClientRegistered, Event, InvoiceLineInfo, InvoicePaid
from abono.money import MoneyModel
from abono.testing import amqp_url_for, ensure_test_vhost, platform_settings, publish_events, test_keys, wait_for
from affiliate.config import AffiliateSettings

# Our own virtual host: other services' tests publish billing and gateway events on the shared one.
VHOST = "abono_test_affiliate"
BROKER_URL = amqp_url_for(VHOST)
QUEUES = ("affiliate.clients", "affiliate.billing")


def ensure_vhost() -> None:
    ensure_test_vhost(VHOST)


async def purge_queues() -> None:
    connection = await aio_pika.connect(BROKER_URL)
    async with connection:
        channel = await connection.channel()
        for name in QUEUES:
            try:
                queue = await channel.get_queue(name, ensure=True)
            except aio_pika.exceptions.ChannelClosed:
                channel = await connection.channel()
                continue
            await queue.purge()


@dataclass
class Served:
    app: FastAPI
    url: str
    database_url: str

    @property
    def clock(self) -> AdjustableClock:
        clock: AdjustableClock = self.app.state.clock
        return clock

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10)


def make_settings(database_url: str, **overrides: Any) -> AffiliateSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        # Test mode gives the app a movable clock; the gateway it would follow is not running here.
        "platform": platform_settings(test_mode=True, gateway_url="http://127.0.0.1:9", amqp_url=BROKER_URL),
        "outbox_sweep_seconds": 0.5,
        "commission_percent_by_kind": {"domain": "5"},
    }
    values.update(overrides)
    return AffiliateSettings(**values)


def auth(user_id: uuid.UUID, role: Role = Role.CLIENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys().token(role, user_id=user_id)}"}


def staff() -> dict[str, str]:
    return auth(uuid.uuid4(), Role.STAFF)


async def publish(*events: Event) -> None:
    """Publish contract events as the gateway's or billing's relay would (same body and message id)."""
    await publish_events(*events, amqp_url=BROKER_URL, until_routed=True)


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def wait_applied(served: Served, *events: Event) -> None:
    """Until the inbox holds every event (applied, or skipped as a duplicate)."""
    ids = [e.event_id for e in events]

    async def applied() -> bool:
        rows = await fetch(served.database_url, "SELECT count(DISTINCT event_id) AS n FROM inbox "
                           "WHERE event_id = ANY($1::uuid[])", ids)
        return int(rows[0]["n"]) == len(set(ids))

    await wait_for(applied, within=30, what=f"{len(ids)} event(s) to be applied")


def registered(client_id: uuid.UUID | None = None, *, email: str | None = None, code: str | None = None,
               visit: str | None = None, at: datetime | None = None, currency: str = "USD") -> ClientRegistered:
    cid = client_id or uuid.uuid4()
    return ClientRegistered(
        client_id=cid, profile=ClientProfile(email=email or f"{cid.hex[:10]}@gmail.com", name="Cliente",
                                             currency=currency),
        referral_code=code, referral_visit=visit, occurred_at=at or datetime.now(UTC))


def paid(client_id: uuid.UUID, *, total: int = 10_000, currency: str = "USD", kind: str = "hosting",
         invoice_id: uuid.UUID | None = None, at: datetime | None = None,
         lines: list[InvoiceLineInfo] | None = None, fingerprint: str | None = None) -> InvoicePaid:
    when = at or datetime.now(UTC)
    money = MoneyModel(amount_minor=total, currency=currency)
    return InvoicePaid(
        invoice_id=invoice_id or uuid.uuid4(), client_id=client_id, number="F-0001", total=money, paid_at=when,
        method="stripe", kind="renewal", occurred_at=when, payer_fingerprint=fingerprint,
        lines=lines if lines is not None else [InvoiceLineInfo(description="Plan", amount=money,
                                                               product_kind=kind)])


async def activate(served: Served, client_id: uuid.UUID, *, address: str = "203.0.113.1") -> dict[str, Any]:
    async with served.http() as http:
        response = await http.post("/affiliates/me", headers={**auth(client_id), "X-Forwarded-For": address})
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body


async def new_affiliate(served: Served, *, email: str | None = None, currency: str = "USD"
                        ) -> tuple[uuid.UUID, str]:
    """A registered client with its affiliate account on: (id, code)."""
    event = registered(email=email, currency=currency)
    await publish(event)
    await wait_applied(served, event)
    body = await activate(served, event.client_id)
    return event.client_id, str(body["code"])


async def referred_client(served: Served, code: str, *, email: str | None = None,
                          currency: str = "USD") -> uuid.UUID:
    """A client that signed up with the affiliate's code (attributed)."""
    event = registered(email=email, code=code, currency=currency)
    await publish(event)
    await wait_applied(served, event)
    return event.client_id


async def me(served: Served, client_id: uuid.UUID, path: str = "") -> Any:
    async with served.http() as http:
        response = await http.get(f"/affiliates/me{path}", headers=auth(client_id))
        assert response.status_code == 200, response.text
        return response.json()


def balance(summary: dict[str, Any], currency: str = "USD") -> tuple[int, int]:
    """(pending, available) minor units of a summary's balance in `currency`."""
    for b in summary["balances"]:
        if b["currency"] == currency:
            return int(b["pending"]["amount_minor"]), int(b["available"]["amount_minor"])
    return 0, 0


async def mature(served: Served, affiliate_id: uuid.UUID, *, days: int = 31) -> None:
    """Move the service's clock past the holding period and wait for the maturing job."""
    served.clock.advance(timedelta(days=days))

    async def nothing_pending() -> bool:
        return balance(await me(served, affiliate_id))[0] == 0

    await wait_for(nothing_pending, within=30, what="the commissions to mature")

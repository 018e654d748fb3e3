"""Helpers of the affiliate tests (importable: conftest puts this folder on sys.path)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from abono.auth import Role
from abono.events import ClientProfile, ClientRegistered, Event, InvoiceLineInfo, InvoicePaid
from abono.money import MoneyModel
from abono.testing import ServedService, amqp_url_for, bearer, fetch_rows, publish_events, standalone_platform, wait_for
from affiliate.config import AffiliateSettings

# Our own virtual host: other services' tests publish billing and gateway events on the shared one.
VHOST = "abono_test_affiliate"
BROKER_URL = amqp_url_for(VHOST)
QUEUES = ("affiliate.clients", "affiliate.billing")


Served = ServedService


def make_settings(database_url: str, **overrides: Any) -> AffiliateSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "platform": standalone_platform(BROKER_URL),
        "outbox_sweep_seconds": 0.5,
        "commission_percent_by_kind": {"domain": "5"},
    }
    values.update(overrides)
    return AffiliateSettings(**values)


auth = bearer


def staff() -> dict[str, str]:
    return auth(uuid.uuid4(), Role.STAFF)


async def publish(*events: Event) -> None:
    """Publish contract events as the gateway's or billing's relay would (same body and message id)."""
    await publish_events(*events, amqp_url=BROKER_URL, until_routed=True)


fetch = fetch_rows


async def wait_applied(served: Served, *events: Event) -> None:
    """Until the inbox holds every event (applied, or skipped as a duplicate)."""
    await served.wait_applied(*(e.event_id for e in events), within=30)


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

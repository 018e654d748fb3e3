"""Helpers of the support tests (importable: conftest puts this folder on sys.path)."""

import base64
import json
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from abono.auth import Role
from abono.events import ClientProfile, ClientRegistered, Event, ServiceActivated, ServiceOrdered
from abono.testing import ServedService, amqp_url_for, bearer, publish_events, standalone_platform
from support.config import SupportSettings

BA = ZoneInfo("America/Argentina/Buenos_Aires")
VHOST = "abono_test_support"
BROKER_URL = amqp_url_for(VHOST)
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                       "AAAABJRU5ErkJggg==")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BA)  # type: ignore[misc]


def make_settings(database_url: str, **overrides: Any) -> SupportSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "platform": standalone_platform(BROKER_URL),
        "outbox_sweep_seconds": 0.5,
        "scheduler_poll_seconds": 0.2,
    }
    values.update(overrides)
    return SupportSettings(**values)


auth = bearer


def staff() -> dict[str, str]:
    return auth(uuid.uuid4(), Role.STAFF)


class Served(ServedService):
    """The served app, with what support's tests do through it."""

    async def publish(self, *events: Event) -> None:
        await publish_events(*events, amqp_url=BROKER_URL, until_routed=True)

    async def new_client(self, *, phone: str | None = None, plan_product: str | None = None,
                         email: str | None = None) -> uuid.UUID:
        """A client as the gateway registers it, holding `plan_product` (a support plan) active if given."""
        client_id = uuid.uuid4()
        profile = ClientProfile(email=email or f"c-{client_id.hex[:10]}@example.test", name="Ana Pérez", phone=phone)
        events: list[Event] = [ClientRegistered(client_id=client_id, profile=profile)]
        if plan_product:
            events += self.plan_events(client_id, plan_product)
        await self.publish(*events)
        await self.wait_applied(*(e.event_id for e in events))
        return client_id

    @staticmethod
    def plan_events(client_id: uuid.UUID, product_code: str) -> list[Event]:
        service_id = uuid.uuid4()
        return [ServiceOrdered(service_id=service_id, client_id=client_id, invoice_id=uuid.uuid4(),
                               product_id=uuid.uuid4(), product_code=product_code, product_name=product_code,
                               kind="support_plan", cycle="monthly", activation="automatic", driver="none"),
                ServiceActivated(service_id=service_id, client_id=client_id, reason="paid")]

    async def open_ticket(self, client_id: uuid.UUID, **fields: Any) -> dict[str, Any]:
        body = {"subject": "No puedo entrar al panel", "sla_class": "SLA1", "message": "Hola, no puedo entrar.",
                **fields}
        async with self.http() as http:
            response = await http.post("/tickets", json=body, headers=auth(client_id))
        assert response.status_code == 201, response.text
        ticket: dict[str, Any] = response.json()
        return ticket

    async def outbox(self, routing_key: str, **match: str) -> list[dict[str, Any]]:
        rows = await self.fetch("SELECT payload::text AS p FROM outbox WHERE routing_key = $1 ORDER BY id", routing_key)
        payloads = [json.loads(r["p"]) for r in rows]
        return [p for p in payloads if all(p.get(k) == v for k, v in match.items())]

    def set_clock(self, instant: datetime) -> None:
        self.clock.set(instant)

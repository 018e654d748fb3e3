"""Issue #5 end to end, through the gateway, on provisioning's contract with billing: a client's hosting is active,
a dunning decision suspends it on the panel, the payment brings it back with no staff step (B-4, B-7, P-5).

This test publishes billing's contract events (`abono.events.catalog`) to the broker itself, exactly as billing's
outbox relay does (exchange `abono.events`, body `event.envelope()`, `message_id` = `event_id`), so it can replay
them out of order and twice. `test_reactivation_e2e.py` tells the same story driven by billing itself.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from abono.events import Event, InvoicePaid, ServiceOrdered, SuspensionDecided
from abono.money import MoneyModel
from abono.testing import E2E_AMQP_URL, publish_events, wait_for

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"


async def publish_as_billing(*events: Event) -> None:
    await publish_events(*events, amqp_url=E2E_AMQP_URL)


def invoice_paid(client_id: uuid.UUID, invoice_id: uuid.UUID, **ids: list[uuid.UUID]) -> InvoicePaid:
    return InvoicePaid(invoice_id=invoice_id, client_id=client_id, number=f"F-{invoice_id.hex[:6]}",
                       total=MoneyModel(amount_minor=12_000, currency="USD"), paid_at=datetime.now(UTC),
                       method="card", **ids)


async def test_b4_b7_suspended_when_overdue_and_back_by_itself_once_paid(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    email = f"hosting-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Sol", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)
    client_id = uuid.UUID(await platform.client_id(gateway, headers))
    whm = platform.fake_whm
    assert whm is not None

    order = ServiceOrdered(
        service_id=uuid.uuid4(), client_id=client_id, invoice_id=uuid.uuid4(), product_id=uuid.uuid4(),
        product_code="hosting-basic", product_name="Hosting Básico", kind="hosting", cycle="annual",
        activation="automatic", driver="whm", driver_settings={"server": "whm1", "package": "basic"},
        domain=f"sol{uuid.uuid4().hex[:6]}.com.ar",
    )
    path = f"/api/provisioning/services/{order.service_id}"

    async def state_is(state: str) -> bool:
        response = await gateway.get(path, headers=headers)
        return response.status_code == 200 and response.json()["state"] == state

    def panel_account() -> dict[str, object]:
        return next(a for a in whm.accounts.values() if a["domain"] == order.domain)

    # P-2: ordered and paid → created on the panel and active, with its access data for the owner (P-7).
    await publish_as_billing(order, invoice_paid(client_id, order.invoice_id, activate_service_ids=[order.service_id]))
    await wait_for(lambda: state_is("active"), what="the new hosting to be active")
    detail = (await gateway.get(path, headers=headers)).json()
    assert detail["access"]["username"] and detail["access"]["password"] == panel_account()["password"]

    # B-4: two days overdue, billing decides the suspension → suspended on the panel.
    overdue = uuid.uuid4()
    await publish_as_billing(SuspensionDecided(client_id=client_id, service_ids=[order.service_id],
                                               invoice_id=overdue, rule="B-4"))
    await wait_for(lambda: state_is("suspended"), what="the hosting to be suspended")

    async def panel_suspended(value: int) -> bool:
        return panel_account()["suspended"] == value

    await wait_for(lambda: panel_suspended(1), what="the WHM account to be suspended")

    # B-7: the client pays; nobody on staff does anything; the hosting comes back, on the panel too.
    await publish_as_billing(invoice_paid(client_id, overdue, reactivate_service_ids=[order.service_id]))
    await wait_for(lambda: state_is("active"), what="the hosting to be reactivated")
    await wait_for(lambda: panel_suspended(0), what="the WHM account to be unsuspended")

    # Nobody else sees it (P-7): another client gets a 404, as if it did not exist.
    other = f"otro-{uuid.uuid4().hex[:8]}@example.test"
    await gateway.post("/api/auth/signup", json={"email": other, "password": PASSWORD, "name": "Otro",
                                                  "country": "AR"})
    other_headers = await platform.login(gateway, other, PASSWORD)
    assert (await gateway.get(path, headers=other_headers)).status_code == 404

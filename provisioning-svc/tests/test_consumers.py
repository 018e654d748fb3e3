"""Billing's events through the real broker into the running app: P-2 activation, B-4 suspension and B-7
reactivation with redelivered and out-of-order events, and failing driver actions shown to operators (P-4)."""

import uuid

from provisioning_testkit import (
    Fakes,
    Served,
    auth,
    fetch,
    ordered,
    paid,
    publish_as_billing,
    renewal_paid,
    service_state,
    wait_applied,
    wait_state,
)

from abono.auth import Role
from abono.events import ServiceOrdered, SuspensionDecided
from abono.testing import wait_for


async def active_via_events(served: Served, order: ServiceOrdered) -> None:
    await publish_as_billing(order, paid(order))
    await wait_state(served, order.service_id, "active")


async def test_p2_an_ordered_and_paid_hosting_is_created_on_whm_and_activated(served: Served, fakes: Fakes) -> None:
    order = ordered(uuid.uuid4(), domain="nuevo.com.ar")
    await active_via_events(served, order)
    account = next(a for a in fakes.whm.accounts.values() if a["domain"] == "nuevo.com.ar")
    assert account["plan"] == "basic" and account["suspended"] == 0

    async def activated_published() -> bool:
        rows = await fetch(served.database_url, "SELECT published_at FROM outbox WHERE routing_key = $1 "
                           "AND payload->>'service_id' = $2", "provisioning.service.activated", str(order.service_id))
        return bool(rows and rows[0]["published_at"] is not None)

    await wait_for(activated_published, what="ServiceActivated to reach the broker")


async def test_b4_b7_suspended_then_reactivated_with_redelivered_and_late_decisions(
    served: Served, fakes: Fakes
) -> None:
    order = ordered(uuid.uuid4(), domain="moroso.com.ar")
    await active_via_events(served, order)
    user = next(u for u, a in fakes.whm.accounts.items() if a["domain"] == "moroso.com.ar")
    overdue = uuid.uuid4()
    decision = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id], invoice_id=overdue,
                                 rule="B-4")
    await publish_as_billing(decision, decision)  # the same message delivered twice
    await wait_state(served, order.service_id, "suspended")

    async def panel_suspended() -> bool:
        return bool(fakes.whm.accounts[user]["suspended"] == 1)

    await wait_for(panel_suspended, what="the WHM account to be suspended")
    # The client pays; billing's scheduler, not yet aware, decides again for the same invoice (a new event),
    # and that decision arrives after the payment.
    payment = renewal_paid(order.client_id, overdue, reactivate=[order.service_id])
    late = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id], invoice_id=overdue,
                             rule="B-5")
    await publish_as_billing(payment, late, decision)
    await wait_applied(served, payment.event_id, late.event_id, decision.event_id)
    await wait_state(served, order.service_id, "active")

    async def panel_active() -> bool:
        return bool(fakes.whm.accounts[user]["suspended"] == 0)

    await wait_for(panel_active, what="the WHM account to be unsuspended")
    assert len(fakes.whm.calls_of("suspendacct", user)) == 1
    assert len(fakes.whm.calls_of("unsuspendacct", user)) == 1
    assert await service_state(served.database_url, order.service_id) == "active"


async def test_p4_failing_actions_are_listed_for_operators_retried_and_never_dropped(
    served: Served, fakes: Fakes
) -> None:
    order = ordered(uuid.uuid4(), driver="http", kind="audio_streaming", domain="radio.com.ar")
    fakes.provider.fail_next = 1_000_000
    try:
        await publish_as_billing(order, paid(order))

        async def failing_listed() -> bool:
            async with served.http() as http:
                response = await http.get("/staff/actions/failed", headers=auth(uuid.uuid4(), Role.STAFF))
            assert response.status_code == 200, response.text
            return any(a["service_id"] == str(order.service_id) and a["attempts"] >= 2 for a in response.json())

        await wait_for(failing_listed, what="the failing create to be listed")
        async with served.http() as http:
            listed = await http.get("/staff/actions/failed", headers=auth(order.client_id))
            assert listed.status_code == 403
            metrics = await http.get("/metrics")
        assert "abono_provisioning_driver_actions_failing" in metrics.text
        assert 'abono_provisioning_driver_action_attempts_total{driver="http",kind="create",outcome="failed"}' in (
            metrics.text)
    finally:
        fakes.provider.fail_next = 0
    await wait_state(served, order.service_id, "active")
    assert fakes.provider.accounts[str(order.service_id)] == "active"


async def test_p5_no_endpoint_suspends_unsuspends_or_terminates(served: Served) -> None:
    async with served.http() as http:
        paths = (await http.get("/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        for method in operations:
            if method in ("post", "put", "patch", "delete"):
                assert not any(word in path for word in ("suspend", "terminat", "reactivat", "activat")), path
                # P-6's transfer request changes who owns a service, P-8's migration request asks staff to move a
                # site into it: neither changes its state (P-1).
                allowed = ("/services/{service_id}/transfers", "/services/{service_id}/migrations")
                assert not path.startswith("/services") or path in allowed, path

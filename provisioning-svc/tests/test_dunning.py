"""P-1, P-2, B-4..B-7, B-14, B-17 applied directly (no broker): each change is an event and an audit row, and
billing's decisions are safe in any order (a late suspension never touches a paid-up client)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from provisioning_testkit import Fakes, events_for, fetch, make_settings, ordered, paid, renewal_paid, service_state
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_cursor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import FixedClock
from abono.db import unit_of_work
from abono.events import InvoicePaid, SuspensionDecided, TerminationDecided, UpgradeRequested
from abono.events.base import Lane
from abono.messaging import wake
from abono.metrics import ServiceMetrics
from abono.testing import wait_for
from provisioning.actions.worker import ActionWorker
from provisioning.fakes import FakeWhm
from provisioning.instances import dunning, upgrades
from provisioning.instances.service import record_order
from provisioning.runtime import Runtime

Step = Callable[..., Awaitable[None]]


class Flow:
    """Applies billing's events the way the consumer does: one transaction each."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker,
                 database_url: str) -> None:
        self.sessionmaker, self.runtime, self.worker, self.db = sessionmaker, runtime, worker, database_url

    async def _run(self, step: Step, **kwargs: Any) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            await step(session, now=self.runtime.clock.now(), **kwargs)

    async def order(self, event: Any) -> None:
        await self._run(record_order, event=event, box=self.runtime.box)

    async def pay(self, event: InvoicePaid) -> None:
        await self._run(dunning.apply_payment, event=event, box=self.runtime.box)

    async def suspend(self, event: SuspensionDecided) -> None:
        await self._run(dunning.apply_suspension, event=event)

    async def terminate(self, event: TerminationDecided) -> None:
        await self._run(dunning.apply_termination, event=event)

    async def request_upgrade(self, event: UpgradeRequested) -> None:
        await self._run(upgrades.record_request, event=event)

    async def state(self, service_id: uuid.UUID) -> str | None:
        return await service_state(self.db, service_id)

    async def active_service(self, **kwargs: Any) -> Any:
        """Ordered, paid and created on the fake WHM: an active service."""
        order = ordered(uuid.uuid4(), **kwargs)
        await self.order(order)
        await self.pay(paid(order))
        await self.worker.run_once()
        assert await self.state(order.service_id) == "active"
        return order


def flow_of(sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker,
            provisioning_db: str) -> Flow:
    return Flow(sessionmaker, runtime, worker, provisioning_db)


async def audit(database_url: str, service_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await fetch(database_url, "SELECT * FROM service_audit WHERE service_id = $1 ORDER BY id", service_id)
    return [dict(r) for r in rows]


def whm_user(whm: FakeWhm, domain: str) -> str:
    return next(u for u, a in whm.accounts.items() if a["domain"] == domain)


async def test_p1_each_change_is_an_event_and_an_audit_row(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="audita.com.ar")
    overdue = uuid.uuid4()
    decision = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id], invoice_id=overdue,
                                 rule="B-4")
    await flow.suspend(decision)
    assert await flow.state(order.service_id) == "suspended"
    assert await events_for(provisioning_db, order.service_id) == [
        "provisioning.service.activated", "provisioning.service.suspended"]
    rows = await audit(provisioning_db, order.service_id)
    assert [(r["action"], r["from_state"], r["to_state"], r["decided_by"]) for r in rows] == [
        ("order", None, "pending", "order"),
        ("activation_requested", "pending", "pending", "payment"),
        ("activate", "pending", "active", "driver"),
        ("suspend", "active", "suspended", "billing"),
    ]
    suspend = rows[-1]
    assert (suspend["rule"], suspend["invoice_id"], suspend["cause_event_id"]) == ("B-4", overdue, decision.event_id)
    assert suspend["event_id"] is not None  # the ServiceSuspended it published
    # The driver action was written with the change; the worker runs it against the panel.
    await worker.run_once()
    assert fakes.whm.accounts[whm_user(fakes.whm, "audita.com.ar")]["suspended"] == 1


async def test_b4_a_repeated_decision_suspends_once(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="repite.com.ar")
    overdue = uuid.uuid4()
    for rule in ("B-4", "B-4", "B-5"):  # a second scheduler run, then B-5 for the same invoice
        await flow.suspend(SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                             invoice_id=overdue, rule=rule))
    assert await events_for(provisioning_db, order.service_id) == [
        "provisioning.service.activated", "provisioning.service.suspended"]
    actions = await fetch(provisioning_db, "SELECT kind FROM driver_actions WHERE service_id = $1 ORDER BY id",
                          order.service_id)
    assert [a["kind"] for a in actions] == ["create", "suspend"]


async def test_b7_a_suspension_arriving_after_the_payment_does_not_suspend_a_paid_up_client(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="tarde.com.ar")
    renewal = uuid.uuid4()
    decision = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id], invoice_id=renewal,
                                 rule="B-4")
    # Billing decided first and the client paid right after; the payment is delivered before the decision.
    await flow.pay(renewal_paid(order.client_id, renewal, reactivate=[order.service_id]))
    await flow.suspend(decision)
    assert await flow.state(order.service_id) == "active"
    assert (await audit(provisioning_db, order.service_id))[-1]["action"] == "suspension_ignored"
    # B-6 for the same, paid, invoice is void too.
    await flow.terminate(TerminationDecided(client_id=order.client_id, service_ids=[order.service_id],
                                            invoice_id=renewal, rule="B-6"))
    assert await flow.state(order.service_id) == "active"
    assert await events_for(provisioning_db, order.service_id) == ["provisioning.service.activated"]


async def test_b7_reactivation_waits_until_every_invoice_it_was_suspended_for_is_paid(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="doble.com.ar")
    first, second = uuid.uuid4(), uuid.uuid4()
    await flow.suspend(SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                         invoice_id=first, rule="B-4"))
    await flow.suspend(SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                         invoice_id=second, rule="B-5"))
    # Even if billing's flag says nothing is overdue (an older view), the hold for `second` keeps it suspended.
    await flow.pay(renewal_paid(order.client_id, first, reactivate=[order.service_id]))
    assert await flow.state(order.service_id) == "suspended"
    assert (await audit(provisioning_db, order.service_id))[-1]["action"] == "reactivation_deferred"
    await flow.pay(renewal_paid(order.client_id, second, reactivate=[order.service_id]))
    assert await flow.state(order.service_id) == "active"
    last = (await audit(provisioning_db, order.service_id))[-1]
    assert (last["action"], last["rule"], last["decided_by"], last["invoice_id"]) == (
        "reactivate", "B-7", "payment", second)
    await worker.run_once()
    user = whm_user(fakes.whm, "doble.com.ar")
    assert fakes.whm.accounts[user]["suspended"] == 0
    assert len(fakes.whm.calls_of("suspendacct", user)) == 1 and len(fakes.whm.calls_of("unsuspendacct", user)) == 1


async def test_b7_no_reactivation_while_the_client_has_anything_overdue(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="debe.com.ar")
    overdue = uuid.uuid4()
    await flow.suspend(SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                         invoice_id=overdue, rule="B-4"))
    await flow.pay(renewal_paid(order.client_id, overdue, reactivate=[order.service_id], has_overdue=True))
    assert await flow.state(order.service_id) == "suspended"
    # The last overdue invoice (never a reason for a suspension yet) is paid: nothing holds the service.
    await flow.pay(renewal_paid(order.client_id, uuid.uuid4(), reactivate=[order.service_id]))
    assert await flow.state(order.service_id) == "active"


async def test_b17_a_chargeback_terminates_at_once_even_for_a_paid_invoice(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="contracargo.com.ar")
    user = whm_user(fakes.whm, "contracargo.com.ar")
    await flow.terminate(TerminationDecided(client_id=order.client_id, service_ids=[order.service_id],
                                            invoice_id=order.invoice_id, rule="B-17"))
    assert await flow.state(order.service_id) == "terminated"
    await worker.run_once()
    assert user not in fakes.whm.accounts
    # Terminated is final: a later payment or suspension changes nothing.
    await flow.pay(renewal_paid(order.client_id, uuid.uuid4(), reactivate=[order.service_id]))
    assert await flow.state(order.service_id) == "terminated"


async def test_p2_a_payment_delivered_before_the_order_still_activates(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = ordered(uuid.uuid4(), domain="primero.com.ar")
    await flow.pay(paid(order))
    await flow.order(order)
    await flow.order(order)  # billing re-sent it: still one service, one create
    await worker.run_once()
    assert await flow.state(order.service_id) == "active"
    creates = await fetch(provisioning_db, "SELECT count(*) AS n FROM driver_actions WHERE service_id = $1",
                          order.service_id)
    assert creates[0]["n"] == 1


async def test_p5_events_about_another_clients_service_are_ignored(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="ajeno.com.ar")
    await flow.suspend(SuspensionDecided(client_id=uuid.uuid4(), service_ids=[order.service_id],
                                         invoice_id=uuid.uuid4(), rule="B-5"))
    assert await flow.state(order.service_id) == "active"


async def test_b14_a_paid_upgrade_changes_the_package_in_either_order(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    for domain, paid_first in (("sube.com.ar", False), ("subepago.com.ar", True)):
        order = await flow.active_service(domain=domain)
        invoice = uuid.uuid4()
        request = UpgradeRequested(
            upgrade_id=uuid.uuid4(), service_id=order.service_id, client_id=order.client_id,
            from_product_id=order.product_id, to_product_id=uuid.uuid4(), invoice_id=invoice,
            to_product_code="hosting-pro", to_product_name="Hosting Pro", to_driver_settings={"package": "pro"},
        )
        payment = renewal_paid(order.client_id, invoice, reactivate=[]).model_copy(
            update={"upgrade_ids": [request.upgrade_id]})
        for step in ((flow.pay(payment), flow.request_upgrade(request)) if paid_first
                     else (flow.request_upgrade(request), flow.pay(payment))):
            await step
        await worker.run_once()
        assert fakes.whm.accounts[whm_user(fakes.whm, domain)]["plan"] == "pro"
        assert (await events_for(provisioning_db, order.service_id))[-1] == "provisioning.upgrade.applied"
        rows = await fetch(provisioning_db, "SELECT product_code, driver_settings->>'package' AS package "
                                            "FROM services WHERE id = $1", order.service_id)
        assert (rows[0]["product_code"], rows[0]["package"]) == ("hosting-pro", "pro")


async def test_p2_a_reactivation_wakes_the_action_worker_instead_of_waiting_for_its_poll(
    sessionmaker: async_sessionmaker[AsyncSession], provisioning_db: str, fakes: Fakes,
) -> None:
    """Issue 20: the commit that queues a driver action wakes the worker of its process (`abono.messaging.wake`), so
    a paid client is back on the panel at once, not at the next poll (here an hour away)."""
    runtime = Runtime.build(make_settings(provisioning_db, fakes, action_batch_size=1000, action_poll_seconds=3600))
    runtime.clock = FixedClock(datetime.now(UTC))
    worker = ActionWorker(runtime=runtime, sessionmaker=sessionmaker, metrics=ServiceMetrics("provisioning"))
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    try:
        order = await flow.active_service(domain="despierta.com.ar")
        user = whm_user(fakes.whm, "despierta.com.ar")
        invoice = uuid.uuid4()
        await flow.suspend(SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                             invoice_id=invoice, rule="B-4"))
        worker.start()  # its first pass suspends the account on the panel, then it waits for its poll
        await wait_for(lambda: fakes.whm.calls_of("suspendacct", user), what="the suspension on the panel")

        await flow.pay(renewal_paid(order.client_id, invoice, reactivate=[order.service_id]))

        await wait_for(lambda: fakes.whm.calls_of("unsuspendacct", user), what="the reactivation on the panel")
        assert fakes.whm.accounts[user]["suspended"] == 0
    finally:
        await worker.stop()
        await runtime.drivers.aclose()


async def test_issue20_a_reactivation_writes_its_event_with_its_transition_in_four_statements(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The payment's part of a reactivation: the client's lock, the invoice settled with its holds released, the
    services locked with their holds, and the transition (state, audit row, `ServiceReactivated`'s outbox row, the
    panel's action) in one statement: no round trip of its own for the event. Counted at the driver's cursor, which
    both the session's statements and `emit`'s go through."""
    flow = flow_of(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="cuatro.com.ar")
    invoice = uuid.uuid4()
    await flow.suspend(SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                         invoice_id=invoice, rule="B-4"))
    statements: list[str] = []
    counting = False
    execute = AsyncAdapt_asyncpg_cursor._prepare_and_execute
    applying = asyncio.current_task()  # not another task's statements (a relay's, a poll's) run meanwhile

    async def counted(cursor: Any, operation: str, parameters: Any) -> None:
        if counting and asyncio.current_task() is applying:
            statements.append(operation)
        await execute(cursor, operation, parameters)

    monkeypatch.setattr(AsyncAdapt_asyncpg_cursor, "_prepare_and_execute", counted)
    # As in the app, a relay of this process follows the database's urgent lane (`ServiceReactivated`'s): woken at
    # commit, no NOTIFY in the transaction.
    key, relay_woken = wake.database_key(sessionmaker.kw["bind"].url), asyncio.Event()
    relay = wake.register(key, relay_woken, wake.outbox_channel(Lane.URGENT))
    try:
        async with unit_of_work(sessionmaker) as session:
            await session.connection()  # the transaction begun before counting
            counting = True
            await dunning.apply_payment(session, event=renewal_paid(order.client_id, invoice,
                                                                    reactivate=[order.service_id]),
                                        box=runtime.box, now=runtime.clock.now())
            counting = False
    finally:
        wake.unregister(key, relay, wake.outbox_channel(Lane.URGENT))

    assert relay_woken.is_set()

    assert await flow.state(order.service_id) == "active"
    assert len(statements) == 4, [s.split()[:6] for s in statements]
    assert not [s for s in statements if s.lstrip().upper().startswith("INSERT INTO OUTBOX")]
    assert (await events_for(provisioning_db, order.service_id))[-2:] == [
        "provisioning.service.suspended", "provisioning.service.reactivated"]

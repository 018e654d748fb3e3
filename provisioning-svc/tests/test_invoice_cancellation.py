"""B-9 cancelled invoices (a staff annulment, a B-11 re-issue, B-6) applied directly: a cancelled invoice no longer
holds a suspended service, so it never defers the B-7 reactivation; the cancellation alone reactivates nothing."""

import uuid

from provisioning_testkit import events_for, fetch, renewal_paid
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_dunning import Flow, audit

from abono.events import InvoiceCancelled, SuspensionDecided, TerminationDecided
from provisioning.actions.worker import ActionWorker
from provisioning.instances import dunning
from provisioning.runtime import Runtime


class CancellingFlow(Flow):
    async def cancel(self, event: InvoiceCancelled) -> None:
        await self._run(dunning.apply_cancellation, event=event)


def cancelled(client_id: uuid.UUID, invoice_id: uuid.UUID, reason: str = "annulled by staff") -> InvoiceCancelled:
    return InvoiceCancelled(invoice_id=invoice_id, client_id=client_id, number="F-0200", reason=reason)


def suspension(client_id: uuid.UUID, service_id: uuid.UUID, invoice_id: uuid.UUID, rule: str) -> SuspensionDecided:
    return SuspensionDecided(client_id=client_id, service_ids=[service_id], invoice_id=invoice_id, rule=rule)


async def driver_actions(database_url: str, service_id: uuid.UUID) -> list[str]:
    rows = await fetch(database_url, "SELECT kind FROM driver_actions WHERE service_id = $1 ORDER BY id", service_id)
    return [r["kind"] for r in rows]


async def test_b9_an_annulled_invoice_no_longer_holds_a_suspended_service(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = CancellingFlow(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="anulada.com.ar")
    annulled, owed = uuid.uuid4(), uuid.uuid4()
    await flow.suspend(suspension(order.client_id, order.service_id, annulled, "B-4"))
    await flow.suspend(suspension(order.client_id, order.service_id, owed, "B-5"))
    cancellation = cancelled(order.client_id, annulled)
    await flow.cancel(cancellation)
    await flow.cancel(cancellation)  # delivered again: nothing more happens
    # No payment: still suspended, and the release is audited.
    assert await flow.state(order.service_id) == "suspended"
    released = [a for a in await audit(provisioning_db, order.service_id) if a["action"] == "hold_released"]
    assert len(released) == 1
    assert (released[0]["rule"], released[0]["invoice_id"], released[0]["cause_event_id"]) == (
        "B-9", annulled, cancellation.event_id)
    holds = await fetch(provisioning_db, "SELECT invoice_id FROM suspension_holds WHERE service_id = $1 AND "
                        "released_at IS NULL", order.service_id)
    assert [h["invoice_id"] for h in holds] == [owed]
    # Paying the invoice still owed is enough: the annulled one does not defer the reactivation.
    await flow.pay(renewal_paid(order.client_id, owed, reactivate=[order.service_id]))
    assert await flow.state(order.service_id) == "active"
    assert (await audit(provisioning_db, order.service_id))[-1]["action"] == "reactivate"


async def test_b9_a_suspension_decided_for_a_cancelled_invoice_is_ignored(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = CancellingFlow(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="tardia.com.ar")
    invoice = uuid.uuid4()
    await flow.cancel(cancelled(order.client_id, invoice, reason="B-11: cycle changed, re-issued"))
    await flow.suspend(suspension(order.client_id, order.service_id, invoice, "B-4"))  # decided before, late
    assert await flow.state(order.service_id) == "active"
    last = (await audit(provisioning_db, order.service_id))[-1]
    assert (last["action"], last["note"]) == ("suspension_ignored", "the invoice is cancelled")


async def test_b6_the_cancellation_before_the_termination_reactivates_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
) -> None:
    flow = CancellingFlow(sessionmaker, runtime, worker, provisioning_db)
    order = await flow.active_service(domain="rescindida.com.ar")
    invoice = uuid.uuid4()
    await flow.suspend(suspension(order.client_id, order.service_id, invoice, "B-4"))
    # B-6: billing cancels the invoice and decides the termination in one transaction; we apply them in order.
    await flow.cancel(cancelled(order.client_id, invoice, reason="B-6: unpaid after the termination deadline"))
    assert await flow.state(order.service_id) == "suspended"
    await flow.terminate(TerminationDecided(client_id=order.client_id, service_ids=[order.service_id],
                                            invoice_id=invoice, rule="B-6"))
    assert await flow.state(order.service_id) == "terminated"
    assert await driver_actions(provisioning_db, order.service_id) == ["create", "suspend", "terminate"]
    assert await events_for(provisioning_db, order.service_id) == [
        "provisioning.service.activated", "provisioning.service.suspended", "provisioning.service.terminated"]

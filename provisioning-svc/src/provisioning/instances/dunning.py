"""Billing's decisions and payments applied to services (B-4..B-7, B-17), safe in any order and repeated.

A service is suspended *for* invoices (one hold per invoice); a payment releases its invoice's holds, and a
suspended service comes back (B-7) only when it has no hold left and billing says nothing else is overdue.
Settled invoices are remembered, so a suspension or B-6 termination decided for an invoice that has since been
paid, delivered late or again, never touches a paid-up client.

A cancelled invoice (B-9: annulled by staff or on request, re-issued by B-11, or cancelled by B-6) is owed no more:
its holds are released, so it no longer defers a later B-7 reactivation, and a suspension decided for it later is
ignored. The cancellation alone reactivates nothing: it is no payment, a B-6 cancellation comes with its termination
decision, and a B-11 cancellation with a replacement invoice still owed. A service whose last hold an annulment
released stays suspended until billing's next `InvoicePaid` for the client names it (billing lists every suspended
service once nothing is overdue).
"""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.crypto import SecretBox
from abono.events import InvoiceCancelled, InvoicePaid, SuspensionDecided, TerminationDecided
from provisioning.instances import upgrades
from provisioning.instances.lifecycle import Action, State, allows
from provisioning.instances.models import ServiceInstance
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import Cause, change_state, note, request_activation
from provisioning.invoices.repository import InvoiceRepository

REACTIVATION_RULE = "B-7"


async def apply_payment(session: AsyncSession, *, event: InvoicePaid, box: SecretBox, now: datetime) -> None:
    """Activate what the invoice ordered, reactivate what it held suspended, apply the upgrades it paid."""
    repo = ServiceRepository(session)
    await repo.lock_client(event.client_id)
    released, pending = await repo.settle_and_release(
        invoice_id=event.invoice_id, client_id=event.client_id, paid_at=event.paid_at, event_id=event.event_id,
        now=now)
    to_activate = set(event.activate_service_ids) | set(pending)
    to_reactivate = set(event.reactivate_service_ids) | set(released)
    for service, holds in await repo.lock_many_with_holds(to_activate | to_reactivate):
        if service.client_id != event.client_id:
            continue  # never act on another client's service, whatever an event says
        if service.id in to_activate and service.state == State.PENDING.value:
            cause = Cause("payment", rule="P-2", invoice_id=event.invoice_id, event_id=event.event_id)
            await request_activation(session, service=service, cause=cause, box=box, now=now)
        elif service.id in to_reactivate and service.state == State.SUSPENDED.value:
            await _reactivate_if_clear(session, service=service, holds=holds, event=event, now=now)
    for upgrade_id in event.upgrade_ids:
        await upgrades.mark_paid(session, upgrade_id=upgrade_id, invoice_id=event.invoice_id, now=now)


async def _reactivate_if_clear(session: AsyncSession, *, service: ServiceInstance, holds: list[uuid.UUID],
                               event: InvoicePaid, now: datetime) -> None:
    """B-7: back to `active` unless the client still owes something or an invoice still holds the service
    (`holds`: its open holds, read with its lock, after this payment released its own)."""
    cause = Cause("payment", rule=REACTIVATION_RULE, invoice_id=event.invoice_id, event_id=event.event_id)
    if event.client_has_overdue or holds:
        why = "the client still has overdue invoices" if event.client_has_overdue else (
            "still suspended for invoice(s) " + ", ".join(sorted(str(invoice_id) for invoice_id in holds)))
        await note(session, service=service, action="reactivation_deferred",
                   cause=Cause(cause.decided_by, cause.rule, cause.invoice_id, cause.event_id, note=why), now=now)
        return
    await change_state(session, service=service, action=Action.REACTIVATE, cause=cause, now=now)


async def apply_suspension(session: AsyncSession, *, event: SuspensionDecided, now: datetime) -> None:
    """B-4/B-5: suspend the services for the invoice, unless it is already paid (a late decision)."""
    repo = ServiceRepository(session)
    await repo.lock_client(event.client_id)
    cause = Cause("billing", rule=event.rule, invoice_id=event.invoice_id, event_id=event.event_id)
    void: str | None = None
    if await repo.is_settled(event.invoice_id):
        void = "the invoice is already paid"
    elif await InvoiceRepository(session).is_cancelled(event.invoice_id):
        void = "the invoice is cancelled"
    for service in await repo.lock_many(event.service_ids):
        if service.client_id != event.client_id:
            continue
        if void:
            await note(session, service=service, action="suspension_ignored", cause=_with_note(cause, void), now=now)
            continue
        if service.kind == "domain":  # D-2: an unpaid domain is not suspended; it expires at the registry
            await note(session, service=service, action="suspension_ignored",
                       cause=_with_note(cause, "D-2: a domain is not suspended; unpaid, it expires at the registry"),
                       now=now)
            continue
        if service.state in (State.ACTIVE.value, State.SUSPENDED.value):
            await repo.hold(service_id=service.id, invoice_id=event.invoice_id, rule=event.rule,
                            event_id=event.event_id, now=now)
        if allows(State(service.state), Action.SUSPEND):
            await change_state(session, service=service, action=Action.SUSPEND, cause=cause, now=now)


async def apply_termination(session: AsyncSession, *, event: TerminationDecided, now: datetime) -> None:
    """B-6 (unless its invoice was paid meanwhile) and B-17 (a chargeback: at once, whatever the invoice)."""
    repo = ServiceRepository(session)
    await repo.lock_client(event.client_id)
    cause = Cause("billing", rule=event.rule, invoice_id=event.invoice_id, event_id=event.event_id)
    void = event.rule != "B-17" and event.invoice_id is not None and await repo.is_settled(event.invoice_id)
    for service in await repo.lock_many(event.service_ids):
        if service.client_id != event.client_id:
            continue
        if void:
            await note(session, service=service, action="termination_ignored",
                       cause=_with_note(cause, "the invoice is already paid"), now=now)
        elif allows(State(service.state), Action.TERMINATE):
            await change_state(session, service=service, action=Action.TERMINATE, cause=cause, now=now)


async def apply_cancellation(session: AsyncSession, *, event: InvoiceCancelled, now: datetime) -> None:
    """B-9: remember the invoice cancelled and release the holds it had (see the module's docstring)."""
    repo = ServiceRepository(session)
    await repo.lock_client(event.client_id)
    await InvoiceRepository(session).record_cancellation(
        invoice_id=event.invoice_id, client_id=event.client_id, reason=event.reason, at=event.occurred_at,
        event_id=event.event_id)
    released = await repo.release_holds(invoice_id=event.invoice_id, event_id=event.event_id, now=now)
    cause = Cause("billing", rule="B-9", invoice_id=event.invoice_id, event_id=event.event_id,
                  note=f"invoice {event.number} cancelled ({event.reason}): no longer holds the service suspended")
    for service in await repo.lock_many(released):
        await note(session, service=service, action="hold_released", cause=cause, now=now)
    await session.flush()


def _with_note(cause: Cause, text: str) -> Cause:
    return Cause(cause.decided_by, cause.rule, cause.invoice_id, cause.event_id, cause.actor_id, text)

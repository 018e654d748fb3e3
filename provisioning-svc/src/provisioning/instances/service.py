"""P-1 transitions and activation: each change is the new state, an audit row, an event and, where the account
must follow, a driver action, all in the caller's transaction (services only flush)."""

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from abono.crypto import SecretBox
from abono.events import (
    ServiceActivated,
    ServiceOrdered,
    ServiceReactivated,
    ServiceSuspended,
    ServiceTerminated,
)
from abono.events.base import Event
from abono.metrics import count_after_commit
from provisioning.actions.repository import ActionRepository
from provisioning.drivers.base import Provisioned
from provisioning.instances.lifecycle import Action, State, next_state
from provisioning.instances.models import ServiceAudit, ServiceInstance
from provisioning.instances.repository import ServiceRepository
from provisioning.metrics import TRANSITIONS

_EVENTS: dict[Action, type[ServiceActivated | ServiceSuspended | ServiceReactivated | ServiceTerminated]] = {
    Action.ACTIVATE: ServiceActivated,
    Action.SUSPEND: ServiceSuspended,
    Action.REACTIVATE: ServiceReactivated,
    Action.TERMINATE: ServiceTerminated,
}
_DRIVER_KINDS = {Action.SUSPEND: "suspend", Action.REACTIVATE: "unsuspend", Action.TERMINATE: "terminate"}


@dataclass(frozen=True)
class Cause:
    """Who or what decided a change (P-1's audit): billing's rule and invoice, a payment, a driver, a staff member."""

    decided_by: str  # billing | payment | driver | staff | order
    rule: str | None = None
    invoice_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    note: str | None = None


def cause_columns(cause: Cause, event: Event | None = None) -> dict[str, Any]:
    """The audit row's columns that say why (P-1's trail): who decided, by which rule, for what, and the event."""
    return {"decided_by": cause.decided_by, "rule": cause.rule, "invoice_id": cause.invoice_id,
            "cause_event_id": cause.event_id, "event_id": event.event_id if event else None,
            "actor_id": cause.actor_id, "note": cause.note}


def audit_row(service: ServiceInstance, *, action: str, from_state: str | None, cause: Cause, now: datetime,
              event: Event | None = None) -> ServiceAudit:
    return ServiceAudit(service_id=service.id, action=action, from_state=from_state, to_state=service.state, at=now,
                        **cause_columns(cause, event))


async def note(session: AsyncSession, *, service: ServiceInstance, action: str, cause: Cause, now: datetime) -> None:
    """Audit a decision that changed no state (e.g. a late suspension for a paid invoice, ignored)."""
    ServiceRepository(session).add_audit(
        audit_row(service, action=action, from_state=service.state, cause=cause, now=now)
    )
    await session.flush()


async def change_state(session: AsyncSession, *, service: ServiceInstance, action: Action, cause: Cause,
                       now: datetime, server: str | None = None) -> None:
    """Apply one P-1 transition (`IllegalTransition` if there is no such edge) with its audit, event and action;
    `server` (activation only) is where the account lives, told to support's status page (S-4). Issue 20: the
    service's row, the audit row and the action in one statement (`record_transition`); `service` is then told the
    values written, as if it had flushed them."""
    before = State(service.state)
    after = next_state(before, action)
    moved: dict[str, Any] = {"state": after.value, "updated_at": now, "activated_at": service.activated_at,
                             "suspended_at": service.suspended_at, "ended_at": service.ended_at}
    if action is Action.ACTIVATE:
        moved["activated_at"] = now
    elif action is Action.SUSPEND:
        moved["suspended_at"] = now
    elif action is Action.REACTIVATE:
        moved["suspended_at"] = None
    else:
        moved["ended_at"] = now
    event_cls = _EVENTS.get(action)
    fields = {"server": server} if action is Action.ACTIVATE else {}
    event = event_cls(
        service_id=service.id, client_id=service.client_id, reason=cause.rule or cause.note or cause.decided_by,
        invoice_id=cause.invoice_id, occurred_at=now, **fields,
    ) if event_cls else None
    kind = _DRIVER_KINDS.get(action)
    # A pending service has no account to act on yet; a domain is never suspended or removed at the registry by us
    # (D-2: an unpaid domain expires there).
    driver_action = ({"kind": kind, "driver": service.driver, "payload": {"reason": cause.rule or cause.note}}
                     if kind and before is not State.PENDING and service.kind != "domain" else None)
    await ServiceRepository(session).record_transition(
        service_id=service.id, moved=moved, action=driver_action,
        audit={"action": action.value, "from_state": before.value, **cause_columns(cause, event)},
        event=event)
    for key, value in moved.items():
        set_committed_value(service, key, value)
    count_after_commit(session, TRANSITIONS, action=action.value, decided_by=cause.decided_by)


async def record_order(session: AsyncSession, *, event: ServiceOrdered, box: SecretBox, now: datetime) -> None:
    """Create the service `pending` (once); if its invoice is already known paid, start its activation."""
    repo = ServiceRepository(session)
    await repo.lock_client(event.client_id)
    inserted = await repo.add_once({
        "id": event.service_id, "client_id": event.client_id, "state": State.PENDING.value,
        "product_id": event.product_id, "product_code": event.product_code, "product_name": event.product_name,
        "kind": event.kind, "cycle": event.cycle, "activation": event.activation, "driver": event.driver,
        "driver_settings": event.driver_settings, "domain": event.domain, "order_invoice_id": event.invoice_id,
        "created_at": now, "updated_at": now,
    })
    if not inserted:
        return
    service = await repo.lock(event.service_id)
    assert service is not None
    cause = Cause("order", invoice_id=event.invoice_id, event_id=event.event_id)
    repo.add_audit(audit_row(service, action="order", from_state=None, cause=cause, now=now))
    await session.flush()
    if await repo.is_settled(event.invoice_id):  # the payment arrived first
        await request_activation(session, service=service, cause=cause, box=box, now=now)


async def request_activation(session: AsyncSession, *, service: ServiceInstance, cause: Cause, box: SecretBox,
                             now: datetime) -> None:
    """P-2/P-3: the order is paid; queue the driver's `create` (manual activation: a staff task), once."""
    if service.state != State.PENDING.value or service.activation_requested_at is not None:
        return
    service.activation_requested_at = now
    service.updated_at = now
    manual = service.activation == "manual" or service.driver == "manual"
    if not manual and service.kind != "domain":  # a domain has no panel login
        # Made once, before the first attempt, so every retry of `create` asks for the same account.
        await ServiceRepository(session).save_access(service.id, {
            "username": panel_username(service.domain, service.id),
            "password_encrypted": box.encrypt(secrets.token_urlsafe(18)),
        }, now=now)
    await ActionRepository(session).add(
        service_id=service.id, kind="create", driver="manual" if manual else service.driver,
        payload={"invoice_id": str(cause.invoice_id) if cause.invoice_id else None}, now=now,
    )
    ServiceRepository(session).add_audit(
        audit_row(service, action="activation_requested", from_state=service.state, cause=cause, now=now)
    )
    await session.flush()


async def complete_activation(
    session: AsyncSession, *, service_id: uuid.UUID, provisioned: Provisioned, box: SecretBox, decided_by: str,
    now: datetime, actor_id: uuid.UUID | None = None, note: str | None = None,
) -> bool:
    """The account exists (driver done or manual task completed): store its access data, go `active`."""
    repo = ServiceRepository(session)
    service = await repo.lock(service_id)
    if service is None or service.state != State.PENDING.value:
        return False  # e.g. terminated (B-17) while the create was in flight: nothing to activate
    await save_access(session, service_id=service_id, provisioned=provisioned, box=box, now=now)
    cause = Cause(decided_by, invoice_id=service.order_invoice_id, actor_id=actor_id, note=note or "P-2")
    await change_state(session, service=service, action=Action.ACTIVATE, cause=cause, now=now,
                       server=provisioned.server)
    return True


async def save_access(session: AsyncSession, *, service_id: uuid.UUID, provisioned: Provisioned, box: SecretBox,
                      now: datetime) -> None:
    """P-7: keep the access data a driver or staff gave; the password only encrypted."""
    await ServiceRepository(session).save_access(service_id, {
        "panel_url": provisioned.panel_url, "username": provisioned.username,
        "password_encrypted": box.encrypt(provisioned.password) if provisioned.password else None,
        "manual_url": provisioned.manual_url, "downloads": provisioned.downloads or None,
    }, now=now)
    await session.flush()


def panel_username(domain: str | None, service_id: uuid.UUID) -> str:
    """A panel login from the domain and the service id: lowercase, starts with a letter, at most 12 chars."""
    base = re.sub(r"[^a-z0-9]", "", (domain or "").split(".")[0].lower())
    if not base or not base[0].isalpha() or base.startswith("test"):
        base = "u" + base
    return base[:8] + service_id.hex[:4]

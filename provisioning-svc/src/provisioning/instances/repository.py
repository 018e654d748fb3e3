import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events.base import Event
from abono.messaging.outbox import emit_written
from provisioning.actions.repository import wake_worker_at_commit
from provisioning.instances.models import (
    ServiceAccess,
    ServiceAudit,
    ServiceInstance,
    SettledInvoice,
    SuspensionHold,
)


class ServiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, values: dict[str, Any]) -> bool:
        """Insert a service unless it exists (a second ServiceOrdered for it); True if inserted."""
        stmt = insert(ServiceInstance).values(**values).on_conflict_do_nothing(index_elements=[ServiceInstance.id])
        result = await self.session.execute(stmt.returning(ServiceInstance.id))
        return result.first() is not None

    async def lock_client(self, client_id: uuid.UUID) -> None:
        """Serialise one client's payments and dunning decisions (a transaction-scoped advisory lock): a decision
        never reads "not paid" while a payment for the same client is committing."""
        await self.lock_clients([client_id])

    async def lock_clients(self, client_ids: Iterable[uuid.UUID]) -> None:
        """`lock_client` for several clients in one statement, in the order of their lock keys, so two transactions
        locking overlapping sets wait for each other instead of deadlocking."""
        await self.session.execute(_LOCK_CLIENTS, {"client_ids": sorted(set(client_ids))})

    async def get(self, service_id: uuid.UUID) -> ServiceInstance | None:
        return await self.session.get(ServiceInstance, service_id)

    async def lock(self, service_id: uuid.UUID) -> ServiceInstance | None:
        return await self.session.get(ServiceInstance, service_id, with_for_update=True, populate_existing=True)

    async def many(self, service_ids: Iterable[uuid.UUID]) -> list[ServiceInstance]:
        ids = set(service_ids)
        if not ids:
            return []
        return list((await self.session.scalars(select(ServiceInstance).where(ServiceInstance.id.in_(ids)))).all())

    async def load_with_access(self, service_ids: Iterable[uuid.UUID]) -> list[object]:
        """Load services and their access rows into the session (two statements), so `get` and `access` for them
        are answered from it while the caller holds the list returned (the session only keeps weak references);
        a service without access data is still looked up by `access`."""
        ids = list(set(service_ids))
        if not ids:
            return []
        services = (await self.session.scalars(select(ServiceInstance).where(ServiceInstance.id.in_(ids)))).all()
        access = (await self.session.scalars(select(ServiceAccess).where(ServiceAccess.service_id.in_(ids)))).all()
        return [*services, *access]

    async def lock_many(self, service_ids: Iterable[uuid.UUID]) -> list[ServiceInstance]:
        """Lock in id order, so concurrent consumers never deadlock on the same services."""
        ids = sorted(set(service_ids))
        if not ids:
            return []
        query = (select(ServiceInstance).where(ServiceInstance.id.in_(ids)).order_by(ServiceInstance.id)
                 .with_for_update().execution_options(populate_existing=True))
        return list((await self.session.scalars(query)).all())

    async def lock_many_with_holds(
            self, service_ids: Iterable[uuid.UUID]) -> list[tuple[ServiceInstance, list[uuid.UUID]]]:
        """`lock_many`, each service with the invoices it is still suspended for (its open holds), in one statement
        (issue 20: a payment's reactivation read them a round trip per service). Holds change only under the
        client's lock (`lock_client`), which the caller holds: the statement's snapshot, taken after it, has them
        all."""
        ids = sorted(set(service_ids))
        if not ids:
            return []
        rows = (await self.session.execute(_LOCK_WITH_HOLDS, {"service_ids": ids})).all()
        return [(service, list(invoices or ())) for service, invoices in rows]

    async def of_client(self, client_id: uuid.UUID) -> list[ServiceInstance]:
        query = (select(ServiceInstance).where(ServiceInstance.client_id == client_id)
                 .order_by(ServiceInstance.created_at, ServiceInstance.id))
        return list((await self.session.scalars(query)).all())

    async def record_transition(self, *, service_id: uuid.UUID, moved: dict[str, Any], audit: dict[str, Any],
                                action: dict[str, Any] | None, event: Event | None) -> None:
        """A P-1 transition's writes in one statement (issue 20: three through the ORM's flush, and the event's
        outbox row a round trip of its own): the service's new state and instants (`moved`), its audit row, its
        event's outbox row (the relay woken at commit as `emit` does: `emit_written`) and, where the account must
        follow, its driver action (`kind`, `driver`, `payload`). Through the session, so what it holds unflushed is
        written first, in order."""
        await self.session.execute(_TRANSITION, {
            "service_id": service_id, **moved, **audit, "with_action": action is not None,
            "kind": action["kind"] if action else None, "driver": action["driver"] if action else None,
            "payload": json.dumps(action["payload"]) if action else None, "with_event": event is not None,
            "routing_key": event.routing_key if event else None, "envelope": event.envelope_json() if event else None,
            "lane": int(event.lane) if event else None})
        if event is not None:
            await emit_written(self.session, event.lane)
        if action is not None:
            wake_worker_at_commit(self.session)

    def add_audit(self, audit: ServiceAudit) -> None:
        self.session.add(audit)

    async def audit_of(self, service_id: uuid.UUID) -> list[ServiceAudit]:
        query = select(ServiceAudit).where(ServiceAudit.service_id == service_id).order_by(ServiceAudit.id)
        return list((await self.session.scalars(query)).all())

    # --- suspension holds and settled invoices (out-of-order safety) ---
    async def is_settled(self, invoice_id: uuid.UUID) -> bool:
        return await self.session.get(SettledInvoice, invoice_id) is not None

    async def hold(self, *, service_id: uuid.UUID, invoice_id: uuid.UUID, rule: str, event_id: uuid.UUID,
                   now: datetime) -> None:
        stmt = insert(SuspensionHold).values(service_id=service_id, invoice_id=invoice_id, rule=rule,
                                             cause_event_id=event_id, created_at=now).on_conflict_do_nothing()
        await self.session.execute(stmt)

    async def settle_and_release(self, *, invoice_id: uuid.UUID, client_id: uuid.UUID, paid_at: datetime,
                                 event_id: uuid.UUID, now: datetime) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """A payment's bookkeeping in one statement (issue 20: three before): the invoice recorded as settled, its
        holds released (as `release_holds`), its pending services read; (the services the released holds held, the
        invoice's pending services)."""
        conn = await self.session.connection()
        rows = await conn.execute(_SETTLE_AND_RELEASE, {
            "invoice_id": invoice_id, "client_id": client_id, "paid_at": paid_at, "event_id": event_id, "now": now})
        released: list[uuid.UUID] = []
        pending: list[uuid.UUID] = []
        for service_id, was_held in rows:
            (released if was_held else pending).append(service_id)
        return released, pending

    async def release_holds(self, *, invoice_id: uuid.UUID, event_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        """Release every hold for a paid or cancelled invoice; the services they held."""
        stmt = (update(SuspensionHold)
                .where(SuspensionHold.invoice_id == invoice_id, SuspensionHold.released_at.is_(None))
                .values(released_at=now, released_by_event_id=event_id)
                .returning(SuspensionHold.service_id))
        return list((await self.session.scalars(stmt)).all())

    # --- access data (P-7) ---
    async def access(self, service_id: uuid.UUID) -> ServiceAccess | None:
        return await self.session.get(ServiceAccess, service_id)

    async def save_access(self, service_id: uuid.UUID, values: dict[str, Any], *, now: datetime) -> None:
        """Insert or update the non-null fields given."""
        values = {k: v for k, v in values.items() if v is not None}
        stmt = insert(ServiceAccess).values(service_id=service_id, updated_at=now, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[ServiceAccess.service_id],
                                          set_={**values, "updated_at": now})
        await self.session.execute(stmt)


# Issue 20: a payment's statements built once, not on every call (their construction was ~8 % of provisioning's CPU
# a reactivation, py-spy `--gil`).
_LOCK_WITH_HOLDS = (
    select(ServiceInstance, select(func.array_agg(SuspensionHold.invoice_id)).where(
        SuspensionHold.service_id == ServiceInstance.id, SuspensionHold.released_at.is_(None)).scalar_subquery())
    .where(ServiceInstance.id.in_(bindparam("service_ids", expanding=True))).order_by(ServiceInstance.id)
    .with_for_update(of=ServiceInstance).execution_options(populate_existing=True))
_LOCK_CLIENTS = text("""
    SELECT pg_advisory_xact_lock(k)
    FROM (SELECT DISTINCT hashtextextended(CAST(c AS text), 0) AS k FROM unnest(CAST(:client_ids AS uuid[])) AS c
          ORDER BY k) AS keys
""")
# The settled invoice, its holds released and its pending services (data-modifying CTEs run whether or not the
# query reads them; the SELECT of pending services sees the snapshot before them: they change no service).
_SETTLE_AND_RELEASE = text("""
    WITH settled AS (
        INSERT INTO settled_invoices (invoice_id, client_id, paid_at, event_id)
        VALUES (:invoice_id, :client_id, :paid_at, :event_id)
        ON CONFLICT DO NOTHING
    ), released AS (
        UPDATE suspension_holds SET released_at = :now, released_by_event_id = :event_id
        WHERE invoice_id = :invoice_id AND released_at IS NULL
        RETURNING service_id
    )
    SELECT service_id, true FROM released
    UNION ALL
    SELECT id, false FROM services WHERE order_invoice_id = :invoice_id AND state = 'pending'
""")
# Data-modifying CTEs run whether or not the statement reads them; the event and the action only where there is one.
_TRANSITION = text("""
    WITH moved AS (
        UPDATE services SET state = :state, updated_at = :updated_at, activated_at = :activated_at,
                            suspended_at = :suspended_at, ended_at = :ended_at
        WHERE id = :service_id
    ), audited AS (
        INSERT INTO service_audit (service_id, action, from_state, to_state, decided_by, rule, invoice_id,
                                   cause_event_id, event_id, actor_id, note, at)
        VALUES (:service_id, :action, :from_state, :state, :decided_by, :rule, :invoice_id, :cause_event_id,
                :event_id, :actor_id, :note, :updated_at)
    ), emitted AS (
        INSERT INTO outbox (event_id, routing_key, payload, lane)
        SELECT CAST(:event_id AS uuid), CAST(:routing_key AS text), CAST(:envelope AS jsonb),
               CAST(:lane AS smallint)
        WHERE CAST(:with_event AS boolean)
    )
    INSERT INTO driver_actions (service_id, kind, driver, payload, status, attempts, next_attempt_at, created_at)
    SELECT CAST(:service_id AS uuid), CAST(:kind AS text), CAST(:driver AS text), CAST(:payload AS jsonb), 'pending',
           0, CAST(:updated_at AS timestamptz), CAST(:updated_at AS timestamptz)
    WHERE CAST(:with_action AS boolean)
""")

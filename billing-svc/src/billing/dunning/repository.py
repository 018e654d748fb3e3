"""The set-based queries of the dunning sweep (B-3..B-5): a chunk of invoices locked, its due steps claimed, the
services they suspend locked and suspended, each one statement whatever the chunk's size."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, CursorResult, Executable, Text, Uuid, any_, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from billing.invoices.models import DunningStep, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus

# One row per (invoice, step): the primary key makes the claim; only the claiming transaction gets the row back.
_CLAIM_STEPS = text("""
    INSERT INTO dunning_steps (invoice_id, step, done_at)
    SELECT claim.invoice_id, claim.step, CAST(:at AS timestamptz)
    FROM unnest(CAST(:invoice_ids AS uuid[]), CAST(:steps AS text[])) AS claim(invoice_id, step)
    ON CONFLICT DO NOTHING
    RETURNING invoice_id, step
""").bindparams(bindparam("invoice_ids", type_=ARRAY(Uuid)), bindparam("steps", type_=ARRAY(Text)))

# Locked in id order first (the subquery), so concurrent sweeps never deadlock on each other; `status = 'active'` is
# checked again on a row whose lock had to be waited for, so a service another transaction suspended is left out.
_SUSPEND_ACTIVE = text("""
    UPDATE subscriptions AS s SET status = 'suspended', updated_at = CAST(:at AS timestamptz)
    FROM (SELECT id FROM subscriptions
          WHERE (id = ANY(CAST(:service_ids AS uuid[])) OR client_id = ANY(CAST(:client_ids AS uuid[])))
            AND status = 'active'
          ORDER BY id FOR UPDATE) AS locked
    WHERE s.id = locked.id
    RETURNING s.id, s.client_id, s.created_at
""").bindparams(bindparam("service_ids", type_=ARRAY(Uuid)), bindparam("client_ids", type_=ARRAY(Uuid)))


def _uuids(name: str, values: Collection[uuid.UUID]) -> object:
    return any_(bindparam(name, list(values), type_=ARRAY(Uuid)))


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    due_on: date
    done: frozenset[str]  # the steps recorded for it so far


@dataclass(frozen=True)
class DueInvoice:
    """What dunning needs of an unpaid invoice (and its reminder carries)."""

    id: uuid.UUID
    client_id: uuid.UUID
    number: str
    due_on: date
    total_minor: int
    currency: str


@dataclass(frozen=True)
class ActiveService:
    id: uuid.UUID
    client_id: uuid.UUID
    created_at: datetime


class DunningQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _execute(self, statement: Executable, params: dict[str, Any] | None = None) -> CursorResult[Any]:
        """Core, on the session's connection and transaction: no ORM row processing for thousands of rows."""
        return await (await self.session.connection()).execute(statement, params)

    async def candidates(self, horizon: date) -> list[Candidate]:
        """Unpaid invoices due by `horizon` (an unpaid upgrade only expires, B-14), in the order they are dunned,
        with the steps already recorded for them."""
        done = select(func.array_agg(DunningStep.step)).where(DunningStep.invoice_id == Invoice.id).scalar_subquery()
        rows = await self._execute(select(Invoice.id, Invoice.due_on, done.label("done")).where(
            Invoice.status == InvoiceStatus.UNPAID, Invoice.kind != InvoiceKind.UPGRADE, Invoice.due_on <= horizon,
        ).order_by(Invoice.due_on, Invoice.id))
        return [Candidate(row.id, row.due_on, frozenset(row.done or ())) for row in rows]

    async def lock_unpaid(self, ids: Sequence[uuid.UUID]) -> list[DueInvoice]:
        """Those of `ids` still unpaid, locked; one another transaction holds (a payment, another runner) is
        skipped this time, as it would be paid or dunned there."""
        rows = await self._execute(select(
            Invoice.id, Invoice.client_id, Invoice.number, Invoice.due_on, Invoice.total_minor, Invoice.currency,
        ).where(Invoice.id == _uuids("ids", ids), Invoice.status == InvoiceStatus.UNPAID)
            .order_by(Invoice.due_on, Invoice.id).with_for_update(skip_locked=True))
        return [DueInvoice(r.id, r.client_id, r.number, r.due_on, r.total_minor, r.currency) for r in rows]

    async def claim_steps(self, steps: Sequence[tuple[uuid.UUID, str]], at: datetime) -> set[tuple[uuid.UUID, str]]:
        """Record each (invoice, step) once; returns those this call recorded (the others were done before)."""
        if not steps:
            return set()
        rows = await self._execute(_CLAIM_STEPS, {
            "invoice_ids": [invoice_id for invoice_id, _ in steps], "steps": [step for _, step in steps], "at": at})
        return {(row.invoice_id, row.step) for row in rows}

    async def invoice_services(self, invoice_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The services each invoice bills (its lines' `service_ids`)."""
        if not invoice_ids:
            return {}
        found: dict[uuid.UUID, list[uuid.UUID]] = {}
        rows = await self._execute(select(InvoiceLine.invoice_id, InvoiceLine.service_ids)
                                   .where(InvoiceLine.invoice_id == _uuids("ids", invoice_ids)))
        for row in rows:
            found.setdefault(row.invoice_id, []).extend(row.service_ids)
        return found

    async def suspend_active(self, service_ids: Collection[uuid.UUID], client_ids: Collection[uuid.UUID],
                             at: datetime) -> list[ActiveService]:
        """Suspend the active services among `service_ids` and of `client_ids`; returns them. Locked first in id
        order, so two sweeps touching the same client wait for each other instead of deadlocking, and the later
        one finds them no longer active (the status is checked again once the lock is had)."""
        if not service_ids and not client_ids:
            return []
        rows = await self._execute(_SUSPEND_ACTIVE, {
            "service_ids": list(service_ids), "client_ids": list(client_ids), "at": at})
        return [ActiveService(r.id, r.client_id, r.created_at) for r in rows]

"""Auto-pay's queries (B-21): saved methods, the auto-pay switch, and charges (one per invoice and attempt, inserted
once; pending ones claimed with SKIP LOCKED so any number of schedulers charge each attempt once)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.autopay.models import AutopayCharge, AutopaySwitch, ChargeStatus, MethodStatus, SavedPaymentMethod
from billing.invoices.models import Invoice, InvoiceKind, InvoiceStatus


def _values(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if getattr(row, c.key) is not None}


class MethodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, method: SavedPaymentMethod) -> None:
        self.session.add(method)
        await self.session.flush()

    async def get(
        self, method_id: uuid.UUID, *, client_id: uuid.UUID | None = None, for_update: bool = False
    ) -> SavedPaymentMethod | None:
        stmt = select(SavedPaymentMethod).where(SavedPaymentMethod.id == method_id)
        if client_id is not None:
            stmt = stmt.where(SavedPaymentMethod.client_id == client_id)
        if for_update:
            stmt = stmt.with_for_update()
        return await self.session.scalar(stmt)

    async def by_setup_key(self, provider: str, setup_key: str) -> SavedPaymentMethod | None:
        """The method whose setup was asked with `setup_key` (its idempotency key), locked."""
        return await self.session.scalar(
            select(SavedPaymentMethod)
            .where(SavedPaymentMethod.provider == provider, SavedPaymentMethod.idempotency_key == setup_key)
            .with_for_update()
        )

    async def of_client(self, client_id: uuid.UUID) -> list[SavedPaymentMethod]:
        """The client's saved methods (not removed ones, nor setups never finished), newest first."""
        return list(
            await self.session.scalars(
                select(SavedPaymentMethod)
                .where(SavedPaymentMethod.client_id == client_id, SavedPaymentMethod.status == MethodStatus.ACTIVE)
                .order_by(SavedPaymentMethod.created_at.desc())
            )
        )

    async def by_ref(self, provider: str, method_ref: str) -> SavedPaymentMethod | None:
        """The method the provider knows as `method_ref` (locked: its state changes)."""
        return await self.session.scalar(
            select(SavedPaymentMethod)
            .where(SavedPaymentMethod.provider == provider, SavedPaymentMethod.method_ref == method_ref)
            .order_by(SavedPaymentMethod.created_at.desc())
            .limit(1)
            .with_for_update()
        )

    async def customer_ref(self, client_id: uuid.UUID, provider: str) -> str | None:
        """The provider's customer made for this client before (one customer per client and provider)."""
        return await self.session.scalar(
            select(SavedPaymentMethod.customer_ref)
            .where(
                SavedPaymentMethod.client_id == client_id,
                SavedPaymentMethod.provider == provider,
                SavedPaymentMethod.customer_ref.is_not(None),
            )
            .order_by(SavedPaymentMethod.created_at)
            .limit(1)
        )


class SwitchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> AutopaySwitch | None:
        return await self.session.get(AutopaySwitch, client_id)

    async def put(self, switch: AutopaySwitch) -> None:
        await self.session.execute(
            insert(AutopaySwitch)
            .values(**_values(switch))
            .on_conflict_do_update(
                index_elements=[AutopaySwitch.client_id],
                set_={"method_id": switch.method_id, "enabled_at": switch.enabled_at},
            )
        )

    async def remove(self, client_id: uuid.UUID, *, method_id: uuid.UUID | None = None) -> bool:
        """Auto-pay off (only if it charges `method_id`, when given): True if it was on."""
        stmt = delete(AutopaySwitch).where(AutopaySwitch.client_id == client_id)
        if method_id is not None:
            stmt = stmt.where(AutopaySwitch.method_id == method_id)
        removed = await self.session.execute(stmt.returning(AutopaySwitch.client_id))
        return removed.first() is not None


class ChargeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(self, *, first_due_on: date, last_due_on: date) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(invoice id, method id): unpaid renewal invoices due in the window whose client has auto-pay on."""
        rows = await self.session.execute(
            select(Invoice.id, AutopaySwitch.method_id)
            .join(AutopaySwitch, AutopaySwitch.client_id == Invoice.client_id)
            .where(
                Invoice.status == InvoiceStatus.UNPAID,
                Invoice.kind == InvoiceKind.RENEWAL,
                Invoice.due_on >= first_due_on,
                Invoice.due_on <= last_due_on,
            )
            .order_by(Invoice.due_on, Invoice.id)
        )
        return [(invoice_id, method_id) for invoice_id, method_id in rows]

    async def of_invoice(self, invoice_id: uuid.UUID) -> list[AutopayCharge]:
        return list(
            await self.session.scalars(
                select(AutopayCharge).where(AutopayCharge.invoice_id == invoice_id).order_by(AutopayCharge.attempt)
            )
        )

    async def add_once(self, charge: AutopayCharge) -> bool:
        """The attempt, unless it exists (one per invoice and attempt number): True if new."""
        inserted = await self.session.execute(
            insert(AutopayCharge)
            .values(**_values(charge))
            .on_conflict_do_nothing(index_elements=[AutopayCharge.invoice_id, AutopayCharge.attempt])
            .returning(AutopayCharge.id)
        )
        return inserted.first() is not None

    async def pending_ids(self, *, today: date, limit: int) -> list[uuid.UUID]:
        return list(
            await self.session.scalars(
                select(AutopayCharge.id)
                .where(AutopayCharge.status == ChargeStatus.PENDING, AutopayCharge.scheduled_on <= today)
                .order_by(AutopayCharge.scheduled_on, AutopayCharge.created_at)
                .limit(limit)
            )
        )

    async def claim_pending(self, charge_id: uuid.UUID) -> AutopayCharge | None:
        """The charge if still pending and no other scheduler is sending it (locked, SKIP LOCKED)."""
        return await self.session.scalar(
            select(AutopayCharge)
            .where(AutopayCharge.id == charge_id, AutopayCharge.status == ChargeStatus.PENDING)
            .with_for_update(skip_locked=True)
        )

    async def recent(self, client_id: uuid.UUID, limit: int = 20) -> list[AutopayCharge]:
        return list(
            await self.session.scalars(
                select(AutopayCharge)
                .where(AutopayCharge.client_id == client_id)
                .order_by(AutopayCharge.created_at.desc())
                .limit(limit)
            )
        )

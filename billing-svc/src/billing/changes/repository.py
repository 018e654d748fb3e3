import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.changes.models import Upgrade, UpgradeStatus
from billing.invoices.models import Invoice, InvoiceStatus


class UpgradeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, upgrade: Upgrade) -> None:
        self.session.add(upgrade)
        await self.session.flush()

    async def requested_for_service(self, service_id: uuid.UUID, *, lock: bool = True) -> Upgrade | None:
        stmt = select(Upgrade).where(Upgrade.subscription_id == service_id, Upgrade.status == UpgradeStatus.REQUESTED)
        return await self.session.scalar(stmt.with_for_update() if lock else stmt)

    async def requested_for_invoice(self, invoice_id: uuid.UUID) -> list[Upgrade]:
        return list(await self.session.scalars(select(Upgrade).where(
            Upgrade.invoice_id == invoice_id, Upgrade.status == UpgradeStatus.REQUESTED)
            .order_by(Upgrade.requested_at).with_for_update()))

    async def expired(self, due_before: date) -> list[uuid.UUID]:
        """The services whose requested upgrade's invoice is still unpaid and fell due before `due_before`."""
        return list(await self.session.scalars(
            select(Upgrade.subscription_id).join(Invoice, Invoice.id == Upgrade.invoice_id).where(
                Upgrade.status == UpgradeStatus.REQUESTED, Invoice.status == InvoiceStatus.UNPAID,
                Invoice.due_on < due_before)))

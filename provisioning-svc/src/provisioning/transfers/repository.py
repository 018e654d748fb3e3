import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from provisioning.transfers.models import ServiceTransfer

PENDING = "pending"


class TransferRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, transfer: ServiceTransfer) -> None:
        self.session.add(transfer)

    async def get(self, transfer_id: uuid.UUID) -> ServiceTransfer | None:
        return await self.session.get(ServiceTransfer, transfer_id)

    async def lock(self, transfer_id: uuid.UUID) -> ServiceTransfer | None:
        return await self.session.get(ServiceTransfer, transfer_id, with_for_update=True, populate_existing=True)

    async def of_client(self, client_id: uuid.UUID) -> list[ServiceTransfer]:
        """Both directions, newest first."""
        query = (select(ServiceTransfer)
                 .where(or_(ServiceTransfer.from_client_id == client_id, ServiceTransfer.to_client_id == client_id))
                 .order_by(ServiceTransfer.requested_at.desc(), ServiceTransfer.id))
        return list((await self.session.scalars(query)).all())

    async def expire_stale(self, service_id: uuid.UUID, *, now: datetime) -> None:
        """Mark the service's pending requests past their expiry `expired` (one pending request per service)."""
        stmt = (update(ServiceTransfer)
                .where(ServiceTransfer.service_id == service_id, ServiceTransfer.status == PENDING,
                       ServiceTransfer.expires_at <= now)
                .values(status="expired"))
        await self.session.execute(stmt)

    async def pending_for_service(self, service_id: uuid.UUID) -> ServiceTransfer | None:
        query = select(ServiceTransfer).where(ServiceTransfer.service_id == service_id,
                                              ServiceTransfer.status == PENDING)
        return (await self.session.scalars(query)).first()

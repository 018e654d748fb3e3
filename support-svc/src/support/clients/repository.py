import re
import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientProfile
from support.clients.models import ClientCopy, ClientService
from support.sla.policy import PLAN_RANK, Plan


def phone_digits(phone: str | None) -> str | None:
    """A phone number as WhatsApp reports a sender: digits only."""
    digits = re.sub(r"\D", "", phone or "")
    return digits or None


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> ClientCopy | None:
        return await self.session.get(ClientCopy, client_id)

    async def by_email(self, email: str) -> ClientCopy | None:
        found = (await self.session.scalars(
            select(ClientCopy).where(func.lower(ClientCopy.email) == email.strip().lower()).limit(2))).all()
        return found[0] if len(found) == 1 else None

    async def by_phone(self, digits: str) -> ClientCopy | None:
        found = (await self.session.scalars(select(ClientCopy).where(ClientCopy.phone == digits).limit(2))).all()
        return found[0] if len(found) == 1 else None

    async def save_profile(self, client_id: uuid.UUID, profile: ClientProfile, *, at: datetime) -> None:
        """Insert or update; an older event never overwrites a newer one."""
        values = {"email": profile.email, "name": profile.name, "phone": phone_digits(profile.phone),
                  "language": profile.language, "profile_at": at}
        stmt = insert(ClientCopy).values(id=client_id, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ClientCopy.id], set_=values,
            where=func.coalesce(ClientCopy.profile_at, stmt.excluded.profile_at) <= stmt.excluded.profile_at,
        )
        await self.session.execute(stmt)


class ServiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, service_id: uuid.UUID) -> ClientService | None:
        return await self.session.get(ClientService, service_id)

    async def ordered(self, *, service_id: uuid.UUID, client_id: uuid.UUID, product_code: str, product_name: str,
                      kind: str, at: datetime) -> None:
        stmt = insert(ClientService).values(id=service_id, client_id=client_id, product_code=product_code,
                                            product_name=product_name, kind=kind, status="pending", updated_at=at)
        # A lifecycle event that arrived first made the row already: fill in what it lacked, keep its status.
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[ClientService.id],
            set_={"product_code": product_code, "product_name": product_name, "kind": kind}))

    async def set_status(self, *, service_id: uuid.UUID, client_id: uuid.UUID, status: str, at: datetime) -> None:
        stmt = insert(ClientService).values(id=service_id, client_id=client_id, product_code="", product_name="",
                                            kind="", status=status, updated_at=at)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[ClientService.id], set_={"status": status, "updated_at": at},
            where=ClientService.updated_at <= at))

    async def transferred(self, *, service_id: uuid.UUID, to_client_id: uuid.UUID) -> None:
        await self.session.execute(update(ClientService).where(ClientService.id == service_id)
                                   .values(client_id=to_client_id))

    async def of_client(self, client_id: uuid.UUID) -> list[ClientService]:
        return list((await self.session.scalars(
            select(ClientService).where(ClientService.client_id == client_id).order_by(ClientService.product_name)
        )).all())

    async def plan_of(self, client_id: uuid.UUID, plan_products: dict[str, Plan]) -> Plan:
        """S-3: the best support plan among the client's active services; Standard for everyone else."""
        if not plan_products:
            return Plan.STANDARD
        codes = (await self.session.scalars(select(ClientService.product_code).where(
            ClientService.client_id == client_id, ClientService.status == "active",
            ClientService.product_code.in_(list(plan_products))))).all()
        return max((plan_products[c] for c in codes), key=PLAN_RANK.__getitem__, default=Plan.STANDARD)

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ClientProfile, Event, parse_event
from notify.contacts.models import ClientService, Contact, ParkedEvent


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> Contact | None:
        return await self.session.get(Contact, client_id)

    async def upsert(self, client_id: uuid.UUID, profile: ClientProfile, *, at: datetime) -> None:
        """Insert or update from an event; an older event never overwrites a newer profile."""
        values = {
            "email": profile.email,
            "name": profile.name,
            "phone": profile.phone,
            "language": profile.language,
            "updated_at": at,
        }
        stmt = insert(Contact).values(client_id=client_id, registered_at=at, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Contact.client_id], set_=values, where=Contact.updated_at <= stmt.excluded.updated_at
        )
        await self.session.execute(stmt)

    async def get_service(self, service_id: uuid.UUID) -> ClientService | None:
        return await self.session.get(ClientService, service_id)

    async def add_service(self, *, service_id: uuid.UUID, client_id: uuid.UUID, name: str, domain: str | None) -> None:
        stmt = insert(ClientService).values(service_id=service_id, client_id=client_id, name=name, domain=domain)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=[ClientService.service_id]))

    async def lock_client(self, client_id: uuid.UUID) -> None:
        """Serialise this transaction with any other touching the client's contact or parked events."""
        key = int.from_bytes(client_id.bytes[:8], "big", signed=True)
        await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def park(self, client_id: uuid.UUID, event: Event, *, at: datetime) -> None:
        stmt = insert(ParkedEvent).values(event_id=event.event_id, client_id=client_id,
                                          routing_key=event.routing_key, payload=event.envelope(), parked_at=at)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=[ParkedEvent.event_id]))

    async def take_parked(self, client_id: uuid.UUID) -> list[Event]:
        """Remove and return the client's parked events, oldest first."""
        rows = (await self.session.execute(
            delete(ParkedEvent).where(ParkedEvent.client_id == client_id)
            .returning(ParkedEvent.routing_key, ParkedEvent.payload, ParkedEvent.parked_at)
        )).all()
        return [parse_event(row.routing_key, row.payload) for row in sorted(rows, key=lambda r: r.parked_at)]

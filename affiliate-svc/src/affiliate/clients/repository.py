import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from affiliate.clients.models import Client, PayerFingerprint

# A copy made from a ClientVerified that came before ClientRegistered: the registration still fills it in.
_PLACEHOLDER_AT = datetime(1970, 1, 1, tzinfo=UTC)


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: uuid.UUID) -> Client | None:
        return await self.session.get(Client, client_id)

    async def upsert(self, client_id: uuid.UUID, *, email_key: str, currency: str, at: datetime) -> None:
        """Insert or update from an event; an older event never overwrites a newer copy."""
        values = {"email_key": email_key, "currency": currency, "updated_at": at}
        stmt = insert(Client).values(id=client_id, registered_at=at, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[Client.id], set_=values,
                                          where=Client.updated_at <= stmt.excluded.updated_at)
        await self.session.execute(stmt)
        await self.session.flush()

    async def mark_verified(self, client_id: uuid.UUID, *, legal_name: str, fingerprint: str | None,
                            at: datetime) -> None:
        stmt = insert(Client).values(id=client_id, email_key="", currency="USD", registered_at=at,
                                     updated_at=_PLACEHOLDER_AT,
                                     verified_at=at, legal_name=legal_name, document_fingerprint=fingerprint)
        stmt = stmt.on_conflict_do_update(index_elements=[Client.id], set_={
            "verified_at": at, "legal_name": legal_name, "document_fingerprint": fingerprint})
        await self.session.execute(stmt)
        await self.session.flush()

    async def add_payer_fingerprint(self, client_id: uuid.UUID, fingerprint: str, *, at: datetime) -> None:
        await self.session.execute(insert(PayerFingerprint).values(
            client_id=client_id, fingerprint=fingerprint, seen_at=at).on_conflict_do_nothing())

    async def payer_fingerprints(self, client_id: uuid.UUID) -> set[str]:
        rows = await self.session.scalars(select(PayerFingerprint.fingerprint)
                                          .where(PayerFingerprint.client_id == client_id))
        return set(rows)

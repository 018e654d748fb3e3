"""Adding to the gateway's audit trail and reading it."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.models import User
from gateway.audit.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        actor_id: uuid.UUID,
        action: str,
        at: datetime,
        details: dict[str, Any],
        actor_email: str | None = None,
        client_id: uuid.UUID | None = None,
    ) -> None:
        """One entry; `actor_email` is looked up when not given."""
        if actor_email is None:
            actor_email = await self.session.scalar(select(User.email).where(User.id == actor_id)) or ""
        self.session.add(
            AuditEntry(
                actor_id=actor_id, actor_email=actor_email, action=action, client_id=client_id, details=details, at=at
            )
        )
        await self.session.flush()

    async def for_client(self, client_id: uuid.UUID | None, *, limit: int) -> Sequence[AuditEntry]:
        stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        if client_id is not None:
            stmt = stmt.where(AuditEntry.client_id == client_id)
        return (await self.session.scalars(stmt)).all()

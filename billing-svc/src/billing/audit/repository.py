import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.audit.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, actor_id: uuid.UUID, action: str, target_type: str, target_id: uuid.UUID, at: datetime,
                  details: dict[str, object]) -> None:
        self.session.add(AuditEntry(actor_id=actor_id, action=action, target_type=target_type, target_id=target_id,
                                    details=details, at=at))
        await self.session.flush()

    async def latest(self, target_types: Sequence[str], *, limit: int) -> list[AuditEntry]:
        """The newest entries about these kinds of target, newest first."""
        return list(await self.session.scalars(
            select(AuditEntry).where(AuditEntry.target_type.in_(target_types))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))

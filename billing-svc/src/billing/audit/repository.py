import uuid
from datetime import datetime

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

"""Staff's decisions and setting changes, one row each (who, what, when, about which affiliate): commission rates,
held attributions, withdrawals. Read back by the console (`GET /staff/audit`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from affiliate.rates.models import AuditEntry


async def record(session: AsyncSession, *, actor_id: uuid.UUID, action: str, at: datetime,
                 affiliate_id: uuid.UUID | None = None, **details: str | None) -> None:
    row = {k: v for k, v in details.items() if v is not None}
    if affiliate_id is not None:
        row["affiliate_id"] = str(affiliate_id)
    session.add(AuditEntry(actor_id=actor_id, action=action, details=row, at=at))
    await session.flush()


async def listed(session: AsyncSession, *, affiliate_id: uuid.UUID | None, limit: int,
                 offset: int) -> list[AuditEntry]:
    query = select(AuditEntry)
    if affiliate_id is not None:
        query = query.where(AuditEntry.details["affiliate_id"].astext == str(affiliate_id))
    return list(await session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id).limit(limit)
                                      .offset(offset)))

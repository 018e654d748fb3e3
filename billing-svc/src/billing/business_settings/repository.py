import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.audit.models import AuditEntry
from billing.business_settings.models import BusinessSetting

TARGET_TYPE = "business_setting"


def target_id(key: str) -> uuid.UUID:
    """The audit log's target id of a settings group (stable, so a group's history is one query)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"abono:billing:business-setting:{key}")


class BusinessSettingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> dict[str, BusinessSetting]:
        rows = await self.session.scalars(select(BusinessSetting))
        return {row.key: row for row in rows}

    async def get(self, key: str, *, for_update: bool = False) -> BusinessSetting | None:
        query = select(BusinessSetting).where(BusinessSetting.key == key)
        return await self.session.scalar(query.with_for_update() if for_update else query)

    async def put(self, key: str, value: dict[str, Any], *, by: uuid.UUID, at: datetime) -> None:
        stmt = insert(BusinessSetting).values(key=key, value=value, updated_at=at, updated_by=by)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[BusinessSetting.key], set_={"value": value, "updated_at": at, "updated_by": by}
            )
        )

    async def remove(self, key: str) -> bool:
        result = await self.session.execute(
            delete(BusinessSetting).where(BusinessSetting.key == key).returning(BusinessSetting.key)
        )
        return result.first() is not None

    async def history(self, *, limit: int) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == TARGET_TYPE)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        return list(rows)

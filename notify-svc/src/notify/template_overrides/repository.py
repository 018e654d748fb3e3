import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.template_overrides.models import AuditEntry, TemplateOverride


class TemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, kind: str, language: str) -> TemplateOverride | None:
        return await self.session.get(TemplateOverride, (kind, language))

    async def sources(self, kind: str, language: str) -> tuple[str, str] | None:
        row = await self.get(kind, language)
        return None if row is None else (row.text_source, row.html_source)

    async def all(self) -> Sequence[TemplateOverride]:
        return (await self.session.scalars(select(TemplateOverride))).all()

    async def put(
        self, *, kind: str, language: str, text_source: str, html_source: str, by: uuid.UUID, at: datetime
    ) -> None:
        values = {"text_source": text_source, "html_source": html_source, "updated_at": at, "updated_by": by}
        stmt = insert(TemplateOverride).values(kind=kind, language=language, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=[TemplateOverride.kind, TemplateOverride.language], set_=values)
        )

    async def remove(self, kind: str, language: str) -> bool:
        result = await self.session.execute(
            delete(TemplateOverride)
            .where(TemplateOverride.kind == kind, TemplateOverride.language == language)
            .returning(TemplateOverride.kind)
        )
        return result.first() is not None

    async def audit(self, *, actor_id: uuid.UUID, action: str, details: dict[str, Any], at: datetime) -> None:
        self.session.add(AuditEntry(actor_id=actor_id, action=action, details=details, at=at))
        await self.session.flush()

    async def history(self, *, limit: int) -> Sequence[AuditEntry]:
        return (await self.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))).all()

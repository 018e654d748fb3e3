import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.audit.repository import AuditRepository
from gateway.totp.models import RecoveryCode, SecurityPolicy, TotpCredential


class TotpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def credential(self, user_id: uuid.UUID, *, for_update: bool = False) -> TotpCredential | None:
        return await self.session.get(TotpCredential, user_id, with_for_update=for_update)

    async def put_credential(self, user_id: uuid.UUID, secret_sealed: str, at: datetime) -> None:
        """A new secret (replacing any earlier one), unconfirmed, and no recovery code left of the old one."""
        stmt = insert(TotpCredential).values(
            user_id=user_id, secret_sealed=secret_sealed, created_at=at, confirmed_at=None, last_step=0
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[TotpCredential.user_id],
                set_={"secret_sealed": secret_sealed, "created_at": at, "confirmed_at": None, "last_step": 0},
            )
        )
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))

    async def remove(self, user_id: uuid.UUID) -> bool:
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        result = await self.session.execute(
            delete(TotpCredential).where(TotpCredential.user_id == user_id).returning(TotpCredential.user_id)
        )
        return result.first() is not None

    async def enrolled(self, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these accounts have a TOTP secret."""
        found = await self.session.scalars(select(TotpCredential.user_id).where(TotpCredential.user_id.in_(user_ids)))
        return set(found)

    async def replace_recovery_codes(self, user_id: uuid.UUID, hashes: list[bytes], at: datetime) -> None:
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        self.session.add_all(RecoveryCode(code_hash=h, user_id=user_id, created_at=at) for h in hashes)
        await self.session.flush()

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: bytes, at: datetime) -> bool:
        result = await self.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == code_hash, RecoveryCode.used_at.is_(None))
            .values(used_at=at)
            .returning(RecoveryCode.code_hash)
        )
        return result.first() is not None

    async def recovery_codes_left(self, user_id: uuid.UUID) -> int:
        left = await self.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        return int(left or 0)

    async def policy(self) -> SecurityPolicy | None:
        return await self.session.get(SecurityPolicy, 1)

    async def put_policy(self, *, require_staff_totp: bool, by: uuid.UUID, at: datetime) -> None:
        stmt = insert(SecurityPolicy).values(id=1, require_staff_totp=require_staff_totp, updated_at=at, updated_by=by)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[SecurityPolicy.id],
                set_={"require_staff_totp": require_staff_totp, "updated_at": at, "updated_by": by},
            )
        )

    async def audit(self, *, actor_id: uuid.UUID, action: str, details: dict[str, Any], at: datetime) -> None:
        await AuditRepository(self.session).add(actor_id=actor_id, action=action, details=details, at=at)

"""The console's queries on accounts: the search box (trigram indexes of migration 0006) and the audit trail."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal, literal_column, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Role
from gateway.accounts.models import User
from gateway.identity.models import IdentityStatus, IdentityVerification
from gateway.staff.models import StaffAudit

# Each way of matching stops at this many rows before the best are ranked: a two-letter query over 100k clients
# stays a bounded index scan, not a sort of everything that matched.
_PER_BRANCH = 50
_PHONE = re.compile(r"[0-9 ()+.\-]+")
_CLIENT_NUMBER = re.compile(r"^(?:c-?)?0*(\d{1,12})$")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _capped(branch: Select[Any]) -> Select[Any]:
    """At most `_PER_BRANCH` rows of a way of matching. `OFFSET 0` fences the LIMIT off the index scan: with a
    LIMIT next to it PostgreSQL bets on a sequential scan that stops early, and loses that bet whenever few or no
    rows match (a whole table read for an e-mail that is not there)."""
    fenced = branch.offset(literal_column("0")).subquery()  # a literal: SQLAlchemy leaves a plain 0 out
    return select(fenced.c[0]).limit(_PER_BRANCH)


class StaffClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search(self, query: str, *, limit: int) -> list[tuple[User, str | None]]:
        """Clients matching `query` by number (`C-1042`, `1042`), id, name, e-mail, phone or document (its legal
        name, or the last four digits of its tax id), best first, each with its verification status."""
        q = query.strip().lower()
        branches: list[Select[Any]] = []
        exact: Any = literal(False)  # a client number or id typed in full comes before every partial match
        if (number := _CLIENT_NUMBER.match(q)) is not None:
            branches.append(select(User.id).where(User.number == int(number.group(1))))
            exact = User.number == int(number.group(1))
        with contextlib.suppress(ValueError):
            branches.append(select(User.id).where(User.id == uuid.UUID(q)))
            exact = User.id == uuid.UUID(q)
        pattern = f"%{_escape_like(q)}%"
        branches += [
            _capped(select(User.id).where(func.lower(User.name).like(pattern))),
            _capped(select(User.id).where(func.lower(User.email).like(pattern))),
            _capped(
                select(IdentityVerification.client_id).where(func.lower(IdentityVerification.legal_name).like(pattern))
            ),
        ]
        digits = re.sub(r"[^0-9]", "", q)
        if len(digits) >= 4 and _PHONE.fullmatch(q):  # only digits and separators: a phone or a document
            branches.append(_capped(select(User.id).where(User.phone_digits.like(f"%{digits}%"))))
            if len(digits) == 4:
                branches.append(
                    select(IdentityVerification.client_id).where(IdentityVerification.tax_id_last4 == digits)
                )
        ids = union(*[b.subquery().select() for b in branches]).subquery()
        rank = func.greatest(
            func.similarity(func.lower(User.name), literal(q)), func.similarity(func.lower(User.email), literal(q))
        )
        rows = await self.session.execute(
            select(User, IdentityVerification.status)
            .join(ids, ids.c[0] == User.id)
            .outerjoin(IdentityVerification, IdentityVerification.client_id == User.id)
            .where(User.role == Role.CLIENT)
            .order_by(exact.desc(), rank.desc(), User.number.desc())
            .limit(limit)
        )
        return [(user, status) for user, status in rows]

    async def profile(self, client_id: uuid.UUID) -> tuple[User, IdentityVerification | None] | None:
        row = (
            await self.session.execute(
                select(User, IdentityVerification)
                .outerjoin(IdentityVerification, IdentityVerification.client_id == User.id)
                .where(User.id == client_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def staff_members(self) -> Sequence[User]:
        """Open staff and admin accounts, by name."""
        return (
            await self.session.scalars(
                select(User)
                .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.closed_at.is_(None))
                .order_by(User.name, User.id)
            )
        ).all()

    async def count_pending_verifications(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(IdentityVerification)
                .where(IdentityVerification.status == IdentityStatus.PENDING.value)
            )
            or 0
        )


class StaffAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        actor_id: uuid.UUID,
        actor_email: str,
        action: str,
        client_id: uuid.UUID | None,
        at: datetime,
        details: dict[str, Any],
    ) -> None:
        self.session.add(
            StaffAudit(
                actor_id=actor_id, actor_email=actor_email, action=action, client_id=client_id, details=details, at=at
            )
        )
        await self.session.flush()

    async def for_client(self, client_id: uuid.UUID | None, *, limit: int) -> Sequence[StaffAudit]:
        stmt = select(StaffAudit).order_by(StaffAudit.at.desc(), StaffAudit.id.desc()).limit(limit)
        if client_id is not None:
            stmt = stmt.where(StaffAudit.client_id == client_id)
        return (await self.session.scalars(stmt)).all()

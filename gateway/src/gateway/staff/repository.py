"""The console's queries on accounts: the search box (trigram indexes of migrations 0007 and 0009, the e-mail prefix
index of 0011); the audit trail is in `gateway.audit`."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, literal, literal_column, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Role
from abono.db import search_pattern
from gateway.accounts.models import User
from gateway.identity.models import IdentityStatus, IdentityVerification

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
        name, or the last four digits of its tax id), best first, each with its verification status.

        What names one client (a `C-` number, an id, the start of an e-mail with its `@`) is looked up by its exact or
        prefix index first, and only when that finds nobody do the substring (trigram) matches run."""
        q = query.strip().lower()
        number = _CLIENT_NUMBER.match(q)
        user_id: uuid.UUID | None = None
        with contextlib.suppress(ValueError):
            user_id = uuid.UUID(q)
        exact: Any = literal(False)  # a client number or id typed in full comes before every partial match
        direct: list[Select[Any]] = []
        if number is not None:
            direct.append(select(User.id).where(User.number == int(number.group(1))))
            exact = User.number == int(number.group(1))
        if user_id is not None:
            direct.append(select(User.id).where(User.id == user_id))
            exact = User.id == user_id
        if "@" in q and not any(c.isspace() for c in q):
            start = search_pattern(f"{_escape_like(q)}%")
            direct.append(_capped(select(User.id).where(func.lower(User.email).like(start))))
        names_one = user_id is not None or (number is not None and q.startswith("c")) or "@" in q
        # "C-1042", an id, "ana.perez@": that client, unless nobody has it.
        if direct and names_one and (found := await self._ranked(direct, q, exact, limit)):
            return found
        return await self._ranked(direct + self._fuzzy(q), q, exact, limit)

    @staticmethod
    def _fuzzy(q: str) -> list[Select[Any]]:
        """The substring matches, each capped; a way that cannot match is left out: an e-mail has no spaces, a name
        no `@` and is never digits alone."""
        pattern = search_pattern(f"%{_escape_like(q)}%")
        digits = re.sub(r"[^0-9]", "", q)
        phone_like = _PHONE.fullmatch(q) is not None
        branches: list[Select[Any]] = []
        named = "@" not in q
        if named and not phone_like:
            branches.append(_capped(select(User.id).where(func.lower(User.name).like(pattern))))
        if not any(c.isspace() for c in q):
            branches.append(_capped(select(User.id).where(func.lower(User.email).like(pattern))))
        if named and not phone_like:  # digits alone: the tax id's last four below, not a company's name
            legal_name = func.lower(IdentityVerification.legal_name)
            branches.append(_capped(select(IdentityVerification.client_id).where(legal_name.like(pattern))))
        if len(digits) >= 4 and phone_like:  # only digits and separators: a phone or a document
            branches.append(_capped(select(User.id).where(User.phone_digits.like(search_pattern(f"%{digits}%")))))
            if len(digits) == 4:
                branches.append(
                    select(IdentityVerification.client_id).where(IdentityVerification.tax_id_last4 == digits)
                )
        return branches

    async def _ranked(
        self, branches: list[Select[Any]], q: str, exact: Any, limit: int
    ) -> list[tuple[User, str | None]]:
        if not branches:  # e.g. "1 2": too few digits for a phone, and nothing else it could be
            return []
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

"""Every advisory lock billing takes, through one helper and one key scheme: `<kind>:<id>[:<id>...]`, hashed by
PostgreSQL's `hashtextextended` (64 bits), held until the transaction ends (`pg_advisory_xact_lock`). Not `hashtext`:
its 32 bits collide among the clients that one renewal run's parallel chunks hold at once, and the run leaves a
client whose lock it finds taken for the next run (a full-mode bench run of 500k clients left 2 invoices so).

A key is only ever built by `key()`: the renewal run and a change hold the same `renewals:<client>` lock because
both ask for `LockKind.RENEWALS`, not because two strings happen to be spelled alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# built once (a payment takes one on every webhook)
_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_TRY_HOLD = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))")


class LockKind(StrEnum):
    RENEWALS = "renewals"  # a client's renewals and the changes that re-issue them (B-2, B-9)
    CREDIT = "credit"  # a client's credit balance (B-10)
    TWO_FOR_ONE = "2x1"  # the two orders of a 2x1 pair (B-12)


def key(kind: LockKind, *ids: uuid.UUID) -> str:
    return ":".join([kind.value, *(str(i) for i in ids)])


async def hold(session: AsyncSession, kind: LockKind, *ids: uuid.UUID) -> None:
    """Wait for the lock and hold it until the transaction ends."""
    await session.execute(_HOLD, {"key": key(kind, *ids)})


async def try_hold(session: AsyncSession, kind: LockKind, *ids: uuid.UUID) -> bool:
    """Take the lock if it is free now; False when someone else holds it."""
    return bool(await session.scalar(_TRY_HOLD, {"key": key(kind, *ids)}))


async def hold_each(session: AsyncSession, kind: LockKind, ids: Sequence[uuid.UUID]) -> None:
    """`hold` for each id, in the order given, in one statement."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k"),
        {"keys": [key(kind, i) for i in ids]})


async def try_hold_each(session: AsyncSession, kind: LockKind, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """`try_hold` for each id in one statement; returns the ids whose lock was taken."""
    by_key = {key(kind, i): i for i in ids}
    taken = await session.scalars(text(
        "SELECT k FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS t(k, n) "
        "WHERE pg_try_advisory_xact_lock(hashtextextended(k, 0)) ORDER BY n"), {"keys": list(by_key)})
    return [by_key[k] for k in taken]

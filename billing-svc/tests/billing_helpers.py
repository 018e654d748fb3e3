"""Small helpers for billing's tests: tokens, direct database sessions, catalog data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Role
from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import test_keys


def auth(user_id: uuid.UUID | None = None, role: Role = Role.CLIENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys().token(role, user_id=user_id or uuid.uuid4())}"}


def staff() -> dict[str, str]:
    return auth(role=Role.STAFF)


@asynccontextmanager
async def db_session(url: str) -> AsyncIterator[AsyncSession]:
    """One committed transaction on the test database."""
    engine = make_engine(url, pool_size=2)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            yield session
    finally:
        await engine.dispose()


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def new_client(url: str, currency: str = "USD") -> uuid.UUID:
    """A client billing knows (as if its ClientRegistered had arrived)."""
    from abono.events import ClientProfile
    from billing.clients.repository import ClientRepository

    client_id = uuid.uuid4()
    async with db_session(url) as session:
        await ClientRepository(session).upsert(
            client_id, ClientProfile(email=f"{client_id.hex[:8]}@example.test", name="Cliente", currency=currency),
            at=datetime.now(UTC))
    return client_id


async def outbox(url: str, routing_key: str, **match: str) -> list[dict[str, object]]:
    """The payloads billing emitted with `routing_key` whose top-level fields equal `match`."""
    import asyncpg

    from abono.db import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE routing_key = $1 ORDER BY id", routing_key)
    finally:
        await conn.close()
    import json

    payloads = [json.loads(r["payload"]) for r in rows]
    return [p for p in payloads if all(str(p.get(k)) == v for k, v in match.items())]


async def sql(url: str, query: str, *args: object) -> list[dict[str, object]]:
    import asyncpg

    from abono.db import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [dict(r) for r in await conn.fetch(query, *args)]
    finally:
        await conn.close()

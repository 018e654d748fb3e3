"""Access tokens that die with the account (issue 11): every service refuses a token of a closed account, or one
issued before the account's sessions were ended (a password change, "sign out everywhere", a staff member's second
factor reset), from the moment it consumes the event.

Access JWTs are verified without asking anyone, so each service keeps its own revocation list:
- the consumer `token_revocations` (queue `<service>.token_revocations`) records `ClientClosed`, `PasswordChanged`
  and `SessionsEnded` in the service's table `token_revocations` and in this replica's memory at once;
- every replica (and every web worker of one, `abono.serve`) reloads the rows changed lately from that table every
  `revocation_poll_seconds`, all of them at start-up, and at once when a row is recorded: `record` sends a NOTIFY on
  `CHANNEL` with the consumer's commit, heard on the outbox relay's LISTEN connection (issue 20: the other processes
  learn it within milliseconds of the commit, not within the poll);
- `abono.auth.current_principal` refuses a revoked token after the signature check (and after the token cache,
  which therefore never keeps a revoked token alive).

A row per account: `closed` (every token refused) and `tokens_before` (wall time: tokens issued before it refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, Table, func, select
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from abono.db import new_metadata
from abono.events import ClientClosed, PasswordChanged, SessionsEnded
from abono.messaging.consumer import Consumer

log = structlog.get_logger("abono.revocation")

TABLE = "token_revocations"
CHANNEL = "abono_token_revocations"  # NOTIFY at the commit of a recorded revocation: every process reloads
# A transaction's now() is its start: a row committed late can carry an instant older than the newest one seen,
# so each reload looks back this far.
_LOOK_BACK = timedelta(minutes=2)
CLOSED = float("inf")


def revocation_table(metadata: MetaData) -> Table:
    """Define (or return the already defined) `token_revocations` on `metadata`."""
    if TABLE in metadata.tables:
        return metadata.tables[TABLE]
    return Table(
        TABLE,
        metadata,
        Column("user_id", UUID(as_uuid=True), primary_key=True),
        Column("closed", Boolean, nullable=False),
        Column("tokens_before", DateTime(timezone=True), nullable=True),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_token_revocations_updated_at", "updated_at"),
    )


def create_revocation_table() -> None:
    """For a service's Alembic revision: create `token_revocations`."""
    from alembic import op

    revocation_table(new_metadata()).create(op.get_bind())


_table = revocation_table(new_metadata())


class RevocationList:
    """This replica's view: account → tokens issued before this instant (epoch seconds; `CLOSED`: every token)."""

    def __init__(self) -> None:
        self._before: dict[uuid.UUID, float] = {}
        self._seen_until: datetime | None = None
        self._woken: asyncio.Event | None = None  # made in `follow`, on its event loop

    def wake(self) -> None:
        """Reload now (a revocation was recorded by some process of this service): the LISTEN callback."""
        if self._woken is not None:
            self._woken.set()

    def revoke(self, user_id: uuid.UUID, before: float) -> None:
        self._before[user_id] = max(before, self._before.get(user_id, 0.0))

    def refuses(self, user_id: uuid.UUID, issued_at: float) -> bool:
        before = self._before.get(user_id)
        return before is not None and issued_at < before

    def is_closed(self, user_id: uuid.UUID) -> bool:
        return self._before.get(user_id) == CLOSED

    async def reload(self, engine: AsyncEngine) -> None:
        """Merge the rows changed since the last reload (all of them the first time)."""
        query = select(_table.c.user_id, _table.c.closed, _table.c.tokens_before, _table.c.updated_at)
        if self._seen_until is not None:
            query = query.where(_table.c.updated_at > self._seen_until - _LOOK_BACK)
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        for user_id, closed, tokens_before, updated_at in rows:
            self.revoke(user_id, CLOSED if closed else tokens_before.timestamp())
            if self._seen_until is None or updated_at > self._seen_until:
                self._seen_until = updated_at

    async def follow(self, engine: AsyncEngine, every: float) -> None:
        """Reload every `every` seconds, and at once when woken (`wake`), until cancelled (a failed reload is retried
        at the next one)."""
        self._woken = woken = asyncio.Event()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), every)
            woken.clear()
            try:
                await self.reload(engine)
            except Exception:  # the database may be away for a while: keep the list we have
                log.warning("revocations_reload_failed", exc_info=True)


async def record(session: AsyncSession, user_id: uuid.UUID, *, closed: bool, tokens_before: datetime | None) -> None:
    """Upsert an account's row: `closed` never goes back, `tokens_before` only moves forward."""
    statement = insert(_table).values(user_id=user_id, closed=closed, tokens_before=tokens_before)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[_table.c.user_id],
            set_={
                "closed": _table.c.closed | statement.excluded.closed,
                "tokens_before": func.greatest(_table.c.tokens_before, statement.excluded.tokens_before),
                "updated_at": func.now(),
            },
        )
    )
    await session.execute(select(func.pg_notify(CHANNEL, "")))  # delivered at commit, to every process listening


def revocation_consumer(revocations: RevocationList) -> Consumer:
    """The consumer that feeds `revocations` (this app's list) and the service's table."""
    consumer = Consumer("token_revocations")

    @consumer.on(ClientClosed)
    async def client_closed(session: AsyncSession, event: ClientClosed) -> None:
        await record(session, event.client_id, closed=True, tokens_before=None)
        revocations.revoke(event.client_id, CLOSED)

    @consumer.on(PasswordChanged)
    async def password_changed(session: AsyncSession, event: PasswordChanged) -> None:
        if event.sessions_ended_at is None:
            return  # a change that kept the other sessions
        await record(session, event.client_id, closed=False, tokens_before=event.sessions_ended_at)
        revocations.revoke(event.client_id, event.sessions_ended_at.timestamp())

    @consumer.on(SessionsEnded)
    async def sessions_ended(session: AsyncSession, event: SessionsEnded) -> None:
        await record(session, event.client_id, closed=False, tokens_before=event.sessions_ended_at)
        revocations.revoke(event.client_id, event.sessions_ended_at.timestamp())

    return consumer

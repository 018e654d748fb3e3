"""Issue 12 item 4: one advisory-lock helper and one key scheme. A change holding a client's renewal lock
(`lock_client_renewals`) makes the set-based run leave that client alone (B-2: a change and a renewal never
interleave), because both ask `billing.locks` for the same `LockKind.RENEWALS` key."""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing import locks
from billing.locks import LockKind
from billing.renewals.batch import lock_clients
from billing.renewals.service import lock_client_renewals, try_lock_client_renewals


def test_b2_lock_keys_have_one_spelling() -> None:
    client = uuid.uuid4()
    assert locks.key(LockKind.RENEWALS, client) == f"renewals:{client}"
    low, high = sorted([uuid.uuid4(), uuid.uuid4()], key=lambda u: u.bytes)
    assert locks.key(LockKind.TWO_FOR_ONE, low, high) == f"2x1:{low}:{high}"


async def test_b2_a_change_holding_the_renewal_lock_keeps_the_run_away(
        sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    busy, free = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as change, sessionmaker() as run:
        await change.begin()
        await lock_client_renewals(change, busy)
        await run.begin()
        assert await lock_clients(run, [busy, free]) == [free]
        assert not await try_lock_client_renewals(run, busy)
        await change.rollback()  # the change's transaction ends: its lock goes with it
        assert await try_lock_client_renewals(run, busy)
        await run.rollback()


async def test_b1_two_clients_whose_keys_collide_in_32_bits_are_never_locked_together(
        sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """B-1: every due service is invoiced by the run. Two clients whose renewal keys share a 32-bit `hashtext` (one
    such pair among ~400k random clients, found here) are different locks: a change (or the run's other chunk) holding
    one does not make the run leave the other for the next run."""
    async with sessionmaker() as session:
        pair = (await session.execute(text(
            "SELECT min(c::text), max(c::text) FROM (SELECT gen_random_uuid() AS c FROM generate_series(1, 400000)) s "
            "GROUP BY hashtext('renewals:' || c::text) HAVING count(*) > 1 LIMIT 1"))).one()
    busy, other = uuid.UUID(pair[0]), uuid.UUID(pair[1])
    async with sessionmaker() as change, sessionmaker() as run:
        await change.begin()
        await lock_client_renewals(change, busy)
        await run.begin()
        assert await lock_clients(run, [other]) == [other]
        await run.rollback()
        await change.rollback()
